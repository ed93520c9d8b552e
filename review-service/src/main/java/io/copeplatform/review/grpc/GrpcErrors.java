package io.copeplatform.review.grpc;

import org.jboss.logging.Logger;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.review.domain.ErrorKind;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.FieldViolation;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.service.ReviewErrors;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * THE place where review errors become gRPC errors: a status code, a {@code google.rpc.ErrorInfo} with a stable reason
 * (domain {@value #DOMAIN}) and, for invalid input, {@code google.rpc.BadRequest} field violations.
 */
public final class GrpcErrors {

    public static final String DOMAIN = "review.cope.io";
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
            case FAILED_PRECONDITION -> Code.FAILED_PRECONDITION;
            case PERMISSION_DENIED -> Code.PERMISSION_DENIED;
            case UNAUTHENTICATED -> Code.UNAUTHENTICATED;
            case ABORTED -> Code.ABORTED;
            case UNAVAILABLE -> Code.UNAVAILABLE;
        };
    }
}
