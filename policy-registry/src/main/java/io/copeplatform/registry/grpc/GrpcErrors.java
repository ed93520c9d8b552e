package io.copeplatform.registry.grpc;

import org.jboss.logging.Logger;

import com.google.rpc.Code;

import io.copeplatform.grpc.RichStatus;
import io.copeplatform.registry.domain.ErrorKind;
import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.service.RegistryErrors;
import io.grpc.StatusRuntimeException;

/**
 * THE place where registry errors become gRPC errors: a status code, a {@code google.rpc.ErrorInfo} with a stable
 * reason (domain {@value #DOMAIN}) and, for invalid input, {@code google.rpc.BadRequest} field violations.
 */
public final class GrpcErrors {

    public static final String DOMAIN = "policy-registry.cope.io";
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    public static Throwable toGrpc(Throwable failure) {
        if (failure instanceof StatusRuntimeException) {
            return failure;
        }
        RegistryException error = RegistryErrors.classify(failure);
        if (error.reason() == ErrorReason.DATABASE_UNAVAILABLE && !(failure instanceof RegistryException)) {
            LOG.warnf(failure, "Request failed on storage");
        }
        return RichStatus.exception(code(error.kind()), error.getMessage(), DOMAIN, error.reason().name(),
                error.metadata(), error.violations().stream()
                        .map(v -> new RichStatus.Violation(v.field(), v.description())).toList());
    }

    private static Code code(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT -> Code.INVALID_ARGUMENT;
            case NOT_FOUND -> Code.NOT_FOUND;
            case ALREADY_EXISTS -> Code.ALREADY_EXISTS;
            case ABORTED -> Code.ABORTED;
            case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
            case UNAVAILABLE -> Code.UNAVAILABLE;
        };
    }

}
