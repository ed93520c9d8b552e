package io.copeplatform.registry.grpc;

import org.jboss.logging.Logger;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.registry.domain.ErrorKind;
import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.FieldViolation;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.service.RegistryErrors;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

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
        Status.Builder status = Status.newBuilder()
                .setCode(code(error.kind()).getNumber())
                .setMessage(error.getMessage())
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason(error.reason().name())
                        .setDomain(DOMAIN)
                        .putAllMetadata(error.metadata())
                        .build()));
        if (!error.violations().isEmpty()) {
            BadRequest.Builder badRequest = BadRequest.newBuilder();
            for (FieldViolation v : error.violations()) {
                badRequest.addFieldViolations(
                        BadRequest.FieldViolation.newBuilder().setField(v.field()).setDescription(v.description()));
            }
            status.addDetails(Any.pack(badRequest.build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
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
