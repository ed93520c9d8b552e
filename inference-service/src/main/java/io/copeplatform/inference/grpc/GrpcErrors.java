package io.copeplatform.inference.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.api.inference.v1.ClassificationError;
import io.copeplatform.api.inference.v1.FieldViolation;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.InferenceErrors;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * THE place where inference failures become gRPC errors: a call status with {@code ErrorInfo} (domain {@value #DOMAIN})
 * and {@code BadRequest}, or — for one item of a batch or stream — a {@link ClassificationError} with the same code,
 * reason and violations.
 */
final class GrpcErrors {

    static final String DOMAIN = "inference.cope.io";

    private GrpcErrors() {
    }

    static StatusRuntimeException toStatus(Throwable failure) {
        if (failure instanceof StatusRuntimeException status) {
            return status;
        }
        InferenceError error = InferenceErrors.classify(failure);
        Status.Builder status = Status.newBuilder()
                .setCode(code(error.kind()).getNumber())
                .setMessage(error.getMessage())
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason(error.reason()).setDomain(DOMAIN)
                        .putAllMetadata(error.metadata()).build()));
        if (!error.violations().isEmpty()) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            error.violations().forEach(v -> badRequest.addFieldViolations(
                    BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
            status.addDetails(Any.pack(badRequest.build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    static ClassificationError toItemError(Throwable failure) {
        InferenceError error = InferenceErrors.classify(failure);
        ClassificationError.Builder item = ClassificationError.newBuilder()
                .setCode(code(error.kind()).getNumber())
                .setReason(error.reason())
                .setDomain(DOMAIN)
                .setMessage(error.getMessage())
                .putAllMetadata(error.metadata());
        error.violations().forEach(v -> item.addFieldViolations(
                FieldViolation.newBuilder().setField(v.field()).setDescription(v.description())));
        return item.build();
    }

    private static Code code(InferenceError.Kind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case RESOURCE_EXHAUSTED -> Code.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> Code.DEADLINE_EXCEEDED;
            case UNAVAILABLE -> Code.UNAVAILABLE;
            case INTERNAL -> Code.INTERNAL;
        };
    }
}
