package io.copeplatform.labeling.rest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.labeling.grpc.GrpcErrors;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * Errors of the REST API as RFC 9457 {@code application/problem+json}: the gRPC status the shared implementation
 * produced (see {@link GrpcErrors}) becomes an HTTP status, its ErrorInfo reason the {@code reason} member and its
 * field violations {@code violations}.
 */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response toProblem(Throwable failure) {
        Throwable mapped = GrpcErrors.toGrpc(failure);
        Status status = mapped instanceof StatusRuntimeException sre ? StatusProto.fromThrowable(sre) : null;
        if (status == null) {
            status = Status.newBuilder().setCode(Code.INTERNAL_VALUE).setMessage("Internal error").build();
        }
        Code code = Code.forNumber(status.getCode());
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "https://cope.io/problems/" + code.name().toLowerCase().replace('_', '-'));
        problem.put("title", code.name());
        problem.put("status", httpStatus(code));
        problem.put("detail", status.getMessage());
        for (Any detail : status.getDetailsList()) {
            try {
                if (detail.is(ErrorInfo.class)) {
                    ErrorInfo info = detail.unpack(ErrorInfo.class);
                    problem.put("reason", info.getReason());
                    problem.put("domain", info.getDomain());
                    problem.put("metadata", info.getMetadataMap());
                } else if (detail.is(BadRequest.class)) {
                    List<Map<String, String>> violations = detail.unpack(BadRequest.class).getFieldViolationsList()
                            .stream().map(v -> Map.of("field", v.getField(), "description", v.getDescription()))
                            .toList();
                    problem.put("violations", violations);
                }
            } catch (InvalidProtocolBufferException e) {
                // A detail we cannot read is left out; the status and message still describe the error.
            }
        }
        return Response.status(httpStatus(code)).type("application/problem+json").entity(problem).build();
    }

    static int httpStatus(Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE, FAILED_PRECONDITION -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            case UNIMPLEMENTED -> 501;
            default -> 500;
        };
    }
}
