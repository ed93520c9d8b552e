package io.copeplatform.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.ClaimNextTaskRequest;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Bad decisions sent through the console are refused with the same reasons as gRPC: problem+json for API clients, an
 * HTML fragment for htmx, an error page for browser navigations.
 */
@QuarkusTest
class ConsoleDecisionErrorsTest {

    private static final Map<String, String> JSON = Map.of("Accept", "application/problem+json");
    private static ReviewClient client;

    @BeforeAll
    static void connect() {
        client = new ReviewClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    /** Claims a fresh task as ann in the console; returns her client, the task id and the decision form. */
    private record Claimed(ConsoleClient ann, String task, Map<String, String> form) {
    }

    private static Claimed claimAsAnn() {
        String job = "console-errors-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ConsoleClient ann = ConsoleClient.signedIn("ann", "ann-pw");
        String task = ann.claim(job);
        return new Claimed(ann, task,
                new HashMap<>(ConsoleClient.decisionForm(ann.page("/console/tasks/" + task).body())));
    }

    @Test
    void aSpanBeyondThePolicyTextIsRefusedAsProblemJson() {
        Claimed c = claimAsAnn();
        c.form().putAll(Map.of("label", "1", "correctVersion", "A", "spanSide", "B", "spanStart", "10", "spanEnd",
                String.valueOf(ReviewClient.TEXT_B.length() + 1)));
        HttpResponse<String> answer = c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(), JSON);
        assertProblem(answer, 400, "SPAN_OUT_OF_RANGE");
        assertTrue(answer.body().contains("\"field\":\"ambiguous_clause.end_offset\""), answer.body());
    }

    @Test
    void anEmptyOrNonNumericSpanIsInvalid() {
        Claimed c = claimAsAnn();
        c.form().putAll(Map.of("label", "1", "correctVersion", "A", "spanSide", "A", "spanStart", "7", "spanEnd", "7"));
        assertProblem(c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(), JSON), 400, "INVALID_SPAN");
        c.form().put("spanEnd", "seven");
        assertProblem(c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(), JSON), 400, "INVALID_SPAN");
    }

    @Test
    void aDecisionNeedsALabelAndTheRightVersion() {
        Claimed c = claimAsAnn();
        c.form().put("correctVersion", "A");
        assertProblem(c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(), JSON), 400,
                "INVALID_ARGUMENT");
        c.form().remove("correctVersion");
        c.form().put("label", "0");
        assertProblem(c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(), JSON), 400,
                "CORRECT_VERSION_MISSING");
    }

    @Test
    void aDecisionUnderAnExpiredLeaseIsRefused() {
        String job = "console-expired-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        // ann claims over gRPC (same built-in user, Basic auth) with a 1 s lease, then answers in the console.
        var claim = client.signedIn("ann", "ann-pw", null, null).claimNextTask(ClaimNextTaskRequest.newBuilder()
                .setJob("binocularJobs/" + job).setLeaseDuration(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(1))
                .build());
        String task = claim.getTask().getName().substring("tasks/".length());
        ConsoleClient ann = ConsoleClient.signedIn("ann", "ann-pw");
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !ann.page("/console/tasks/" + task).body().contains("Lease ends at"));
        Map<String, String> form = Map.of("leaseId", claim.getLease().getLeaseId(), "label", "1", "correctVersion",
                "A");
        assertProblem(ann.post("/console/tasks/" + task + "/decision", form, JSON), 400, "LEASE_EXPIRED");
    }

    @Test
    void anotherReviewersLeaseIsNotHeld() {
        Claimed c = claimAsAnn();
        ConsoleClient bob = ConsoleClient.signedIn("bob", "bob-pw");
        c.form().putAll(Map.of("label", "1", "correctVersion", "A"));
        assertProblem(bob.post("/console/tasks/" + c.task() + "/decision", c.form(), JSON), 400, "LEASE_NOT_HELD");
    }

    @Test
    void htmxGetsAnHtmlFragmentAndBrowsersAnErrorPage() {
        Claimed c = claimAsAnn();
        c.form().put("correctVersion", "A");
        HttpResponse<String> fragment = c.ann().post("/console/tasks/" + c.task() + "/decision", c.form(),
                Map.of("HX-Request", "true"));
        assertEquals(400, fragment.statusCode());
        assertTrue(fragment.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(fragment.body().contains("data-reason=\"INVALID_ARGUMENT\""), fragment.body());
        assertFalse(fragment.body().contains("<html"), "a fragment, not a page");

        HttpResponse<String> missing = c.ann().page("/console/tasks/" + UUID.randomUUID());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("TASK_NOT_FOUND"));
        HttpResponse<String> malformed = c.ann().page("/console/tasks/not-a-task");
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.body().contains("INVALID_ARGUMENT"));
    }

    private static void assertProblem(HttpResponse<String> answer, int status, String reason) {
        assertEquals(status, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("content-type").orElse("").startsWith("application/problem+json"),
                answer.headers().map().toString());
        assertTrue(answer.body().contains("\"reason\":\"" + reason + "\""), answer.body());
        assertTrue(answer.body().contains("\"status\":" + status), answer.body());
    }
}
