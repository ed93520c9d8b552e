package io.copeplatform.grpc;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/**
 * The REST APIs' errors: a gRPC error (as {@link RichStatus} builds them) as an RFC 9457
 * {@code application/problem+json} body. The gRPC code becomes the HTTP status and the {@code type}/{@code title}, the
 * ErrorInfo the {@code reason}, {@code domain} and {@code metadata} members, and BadRequest field violations the
 * {@code violations} member. Each service's JAX-RS exception mapper maps its exceptions to gRPC and then calls
 * {@link #of}.
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** An HTTP status and the problem document to send with it. */
    public record Problem(int httpStatus, Map<String, Object> body) {
    }

    private Problems() {
    }

    /** {@code failure} as a problem; anything but a {@link StatusRuntimeException} with a status is a 500. */
    public static Problem of(Throwable failure) {
        Status status = failure instanceof StatusRuntimeException sre ? StatusProto.fromThrowable(sre) : null;
        if (status == null) {
            return of(Code.INTERNAL, "Internal error", null, null, Map.of(), List.of());
        }
        ErrorInfo info = null;
        List<RichStatus.Violation> violations = List.of();
        for (Any detail : status.getDetailsList()) {
            try {
                if (detail.is(ErrorInfo.class)) {
                    info = detail.unpack(ErrorInfo.class);
                } else if (detail.is(BadRequest.class)) {
                    violations = detail.unpack(BadRequest.class).getFieldViolationsList().stream()
                            .map(v -> new RichStatus.Violation(v.getField(), v.getDescription())).toList();
                }
            } catch (InvalidProtocolBufferException e) {
                // A detail we cannot read is left out; the status and message still describe the error.
            }
        }
        return info == null
                ? of(Code.forNumber(status.getCode()), status.getMessage(), null, null, Map.of(), violations)
                : of(Code.forNumber(status.getCode()), status.getMessage(), info.getDomain(), info.getReason(),
                        info.getMetadataMap(), violations);
    }

    /**
     * The same problem from its parts, for an adapter that does not go through gRPC (the review console): the members
     * {@code reason}, {@code domain} and {@code metadata} are present when {@code reason} is, {@code violations} when
     * there are any.
     */
    public static Problem of(Code code, String detail, String domain, String reason, Map<String, String> metadata,
            List<RichStatus.Violation> violations) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "https://cope.io/problems/" + code.name().toLowerCase().replace('_', '-'));
        problem.put("title", code.name());
        problem.put("status", httpStatus(code));
        problem.put("detail", detail);
        if (reason != null) {
            problem.put("reason", reason);
            problem.put("domain", domain);
            problem.put("metadata", metadata);
        }
        if (!violations.isEmpty()) {
            problem.put("violations", violations.stream()
                    .map(v -> Map.of("field", v.field(), "description", v.description())).toList());
        }
        return new Problem(httpStatus(code), problem);
    }

    /** The HTTP status of a gRPC code. */
    public static int httpStatus(Code code) {
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
