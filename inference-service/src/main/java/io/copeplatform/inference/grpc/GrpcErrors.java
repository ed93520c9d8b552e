package io.copeplatform.inference.grpc;

import com.google.rpc.Code;

import io.copeplatform.api.inference.v1.ClassificationError;
import io.copeplatform.api.inference.v1.FieldViolation;
import io.copeplatform.grpc.RichStatus;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.InferenceErrors;
import io.grpc.StatusRuntimeException;

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
        return RichStatus.exception(code(error.kind()), error.getMessage(), DOMAIN, error.reason(), error.metadata(),
                error.violations().stream().map(v -> new RichStatus.Violation(v.field(), v.description())).toList());
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
