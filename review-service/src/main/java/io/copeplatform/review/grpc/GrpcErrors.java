package io.copeplatform.review.grpc;

import org.jboss.logging.Logger;

import com.google.rpc.Code;

import io.copeplatform.grpc.RichStatus;
import io.copeplatform.review.domain.ErrorKind;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.service.ReviewErrors;
import io.grpc.StatusRuntimeException;

/**
 * THE place where review errors become gRPC errors: a status code, a {@code google.rpc.ErrorInfo} with a stable reason
 * (domain {@value ReviewErrors#DOMAIN}) and, for invalid input, {@code google.rpc.BadRequest} field violations.
 */
public final class GrpcErrors {

    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static Throwable toGrpc(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        ReviewException error = ReviewErrors.classify(failure);
        if (error.reason() == ErrorReason.DATABASE_UNAVAILABLE && !(failure instanceof ReviewException)) {
            LOG.warnf(failure, "Request failed on storage");
        }
        return RichStatus.exception(code(error.kind()), error.getMessage(), ReviewErrors.DOMAIN, error.reason().name(),
                error.metadata(), error.violations().stream()
                        .map(v -> new RichStatus.Violation(v.field(), v.description())).toList());
    }

    private static Code code(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
            case ABORTED -> Code.ABORTED;
            case UNAVAILABLE -> Code.UNAVAILABLE;
        };
    }
}
