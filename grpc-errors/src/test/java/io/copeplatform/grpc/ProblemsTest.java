package io.copeplatform.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.google.rpc.Code;

class ProblemsTest {

    @Test
    void aRichGrpcErrorBecomesAProblemWithItsReasonAndViolations() {
        Throwable error = RichStatus.exception(Code.INVALID_ARGUMENT, "text: must not be empty", "test.cope.io",
                "EMPTY_TEXT", Map.of("field", "text"), List.of(new RichStatus.Violation("text", "must not be empty")));

        Problems.Problem problem = Problems.of(error);

        assertEquals(400, problem.httpStatus());
        assertEquals("https://cope.io/problems/invalid-argument", problem.body().get("type"));
        assertEquals("INVALID_ARGUMENT", problem.body().get("title"));
        assertEquals(400, problem.body().get("status"));
        assertEquals("text: must not be empty", problem.body().get("detail"));
        assertEquals("EMPTY_TEXT", problem.body().get("reason"));
        assertEquals("test.cope.io", problem.body().get("domain"));
        assertEquals(Map.of("field", "text"), problem.body().get("metadata"));
        assertEquals(List.of(Map.of("field", "text", "description", "must not be empty")),
                problem.body().get("violations"));
    }

    @Test
    void anythingElseIsAnInternalErrorThatRevealsNothing() {
        Problems.Problem problem = Problems.of(new IllegalStateException("password=secret"));

        assertEquals(500, problem.httpStatus());
        assertEquals("Internal error", problem.body().get("detail"));
        assertFalse(problem.body().containsKey("reason"));
    }

    @Test
    void grpcCodesMapToTheirHttpStatuses() {
        assertEquals(404, Problems.httpStatus(Code.NOT_FOUND));
        assertEquals(409, Problems.httpStatus(Code.ALREADY_EXISTS));
        assertEquals(409, Problems.httpStatus(Code.ABORTED));
        assertEquals(400, Problems.httpStatus(Code.FAILED_PRECONDITION));
        assertEquals(429, Problems.httpStatus(Code.RESOURCE_EXHAUSTED));
        assertEquals(503, Problems.httpStatus(Code.UNAVAILABLE));
        assertEquals(504, Problems.httpStatus(Code.DEADLINE_EXCEEDED));
        assertEquals(500, Problems.httpStatus(Code.DATA_LOSS));
    }
}
