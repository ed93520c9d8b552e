package io.copeplatform.labeling.grpc;

import org.jboss.logging.Logger;

import com.google.rpc.Code;

import io.copeplatform.grpc.RichStatus;
import io.copeplatform.labeling.domain.ErrorKind;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.service.LabelingErrors;
import io.grpc.StatusRuntimeException;

/**
 * THE place where labeling errors become gRPC errors: a status code, a {@code google.rpc.ErrorInfo} with a stable
 * reason (domain {@value #DOMAIN}) and, for invalid input, {@code google.rpc.BadRequest} field violations.
 */
public final class GrpcErrors {

    public static final String DOMAIN = "labeling.cope.io";
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static Throwable toGrpc(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        if (!(failure instanceof LabelingException)) {
            LOG.warnf(failure, "Request failed");
        }
        LabelingException error = LabelingErrors.classify(failure);
        return RichStatus.exception(code(error.kind()), error.getMessage(), DOMAIN, error.reason().name(),
                error.metadata(), error.violations().stream()
                        .map(v -> new RichStatus.Violation(v.field(), v.description())).toList());
    }

    static Code code(ErrorKind kind) {
        switch (kind) {
            case INVALID_ARGUMENT :
                return Code.INVALID_ARGUMENT;
            case NOT_FOUND :
                return Code.NOT_FOUND;
            case ALREADY_EXISTS :
                return Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION :
                return Code.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED :
                return Code.RESOURCE_EXHAUSTED;
            default :
                return Code.UNAVAILABLE;
        }
    }
}
