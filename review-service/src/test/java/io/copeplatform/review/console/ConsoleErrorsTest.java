package io.copeplatform.review.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;

import io.copeplatform.grpc.Problems;
import io.copeplatform.review.domain.ErrorKind;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;

class ConsoleErrorsTest {

    private final ConsoleErrors errors = new ConsoleErrors(new ObjectMapper());

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void everyKindIsAGrpcCodeAndGetsThatCodesHttpStatus(ErrorKind kind) {
        ErrorReason reason = Arrays.stream(ErrorReason.values()).filter(r -> r.kind() == kind).findFirst()
                .orElseThrow();

        Response answer = errors.toResponse(ReviewException.of(reason, "x"), false, "application/json");

        assertEquals(Problems.httpStatus(Code.valueOf(kind.name())), answer.getStatus());
    }

    @Test
    void aProblemHasTheShapeOfThePlatformsRestApis() throws Exception {
        Response answer = errors.toResponse(ReviewException.of(ErrorReason.LEASE_EXPIRED, "the lease ended",
                Map.of("task", "tasks/1")), false, "application/json");

        assertEquals(400, answer.getStatus(), "FAILED_PRECONDITION, as in the registry's and labeling's REST APIs");
        assertTrue(answer.getMediaType().toString().startsWith("application/problem+json"));
        Map<?, ?> body = new ObjectMapper().readValue((String) answer.getEntity(), Map.class);
        assertEquals("https://cope.io/problems/failed-precondition", body.get("type"));
        assertEquals("FAILED_PRECONDITION", body.get("title"));
        assertEquals(400, body.get("status"));
        assertEquals("the lease ended", body.get("detail"));
        assertEquals("LEASE_EXPIRED", body.get("reason"));
        assertEquals("review.cope.io", body.get("domain"));
        assertEquals(Map.of("task", "tasks/1"), body.get("metadata"));
    }
}
