package io.copeplatform.labeling.rest;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;

/**
 * The REST API speaks the v1 messages in their canonical proto3 JSON form (lowerCamelCase field names; snake_case
 * accepted on input), so REST and gRPC can never drift apart.
 */
final class ProtoJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private ProtoJson() {
    }

    static String print(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("Not printable as JSON: " + message.getDescriptorForType(), e);
        }
    }

    static <B extends Message.Builder> B parse(String json, B builder) {
        if (json == null || json.isBlank()) {
            return builder;
        }
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "body",
                    "is not a valid " + builder.getDescriptorForType().getName() + " JSON object: " + e.getMessage());
        }
    }
}
