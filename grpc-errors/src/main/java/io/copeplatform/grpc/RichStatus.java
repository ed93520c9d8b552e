package io.copeplatform.grpc;

import java.util.List;
import java.util.Map;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * A gRPC error as the platform's APIs promise it (CONVENTIONS.md): a status code and message, a
 * {@code google.rpc.ErrorInfo} with a stable UPPER_SNAKE reason, the service's domain and metadata, and — for invalid
 * input — {@code google.rpc.BadRequest} field violations.
 */
public final class RichStatus {

    /** One invalid request field. */
    public record Violation(String field, String description) {
    }

    private RichStatus() {
    }

    public static Status status(Code code, String message, String domain, String reason, Map<String, String> metadata,
            List<Violation> violations) {
        Status.Builder status = Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message == null ? "" : message)
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason(reason)
                        .setDomain(domain)
                        .putAllMetadata(metadata)
                        .build()));
        if (!violations.isEmpty()) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            for (Violation v : violations) {
                badRequest.addFieldViolations(
                        BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description()));
            }
            status.addDetails(Any.pack(badRequest.build()));
        }
        return status.build();
    }

    public static StatusRuntimeException exception(Code code, String message, String domain, String reason,
            Map<String, String> metadata, List<Violation> violations) {
        return StatusProto.toStatusRuntimeException(status(code, message, domain, reason, metadata, violations));
    }
}
