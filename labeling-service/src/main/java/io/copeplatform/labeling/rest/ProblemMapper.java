package io.copeplatform.labeling.rest;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.copeplatform.grpc.Problems;
import io.copeplatform.labeling.grpc.GrpcErrors;

/**
 * Errors of the REST API as RFC 9457 {@code application/problem+json}: mapped to gRPC in the one place every API shares
 * ({@link GrpcErrors}), then written as a problem by {@link Problems}.
 */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response toProblem(Throwable failure) {
        Problems.Problem problem = Problems.of(GrpcErrors.toGrpc(failure));
        return Response.status(problem.httpStatus()).type(Problems.MEDIA_TYPE).entity(problem.body()).build();
    }
}
