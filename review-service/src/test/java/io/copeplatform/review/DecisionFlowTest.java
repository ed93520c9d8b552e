package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.claim;
import static io.copeplatform.review.ReviewClient.decide;
import static io.copeplatform.review.ReviewClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.AgreementMethod;
import io.copeplatform.api.review.v1.AuditAction;
import io.copeplatform.api.review.v1.ClaimNextTaskRequest;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.ClauseSpan;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.GetAgreementRequest;
import io.copeplatform.api.review.v1.GetReviewerStatsRequest;
import io.copeplatform.api.review.v1.GetTaskRequest;
import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.copeplatform.api.review.v1.ListTasksRequest;
import io.copeplatform.api.review.v1.PolicySide;
import io.copeplatform.api.review.v1.SubmitDecisionRequest;
import io.copeplatform.api.review.v1.Task;
import io.copeplatform.api.review.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class DecisionFlowTest {

    private static ReviewClient client;

    @BeforeAll
    static void connect() {
        client = new ReviewClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    private static String job() {
        return "flow-" + UUID.randomUUID();
    }

    @Test
    void twoAgreeingDecisionsMakeTheTaskDoneWithAGoldLabel() {
        String job = job();
        client.createTasks(job, 1, 2);
        ClaimNextTaskResponse ann = claim(client.reviewer("ann"), job);
        ClaimNextTaskResponse bob = claim(client.reviewer("bob"), job);
        assertEquals(ann.getTask().getName(), bob.getTask().getName());
        Task afterFirst = decide(client.reviewer("ann"), ann, true).getTask();
        assertEquals(1, afterFirst.getDecisionCount());
        assertEquals(TaskState.TASK_STATE_CLAIMED, afterFirst.getState(), "bob still holds the other slot");

        // bob cannot see ann's decision before deciding; the lead can.
        GetTaskRequest get = GetTaskRequest.newBuilder().setName(ann.getTask().getName()).build();
        assertEquals(0, client.reviewer("bob").getTask(get).getTask().getDecisionsCount());
        assertEquals(1, client.lead("lea").getTask(get).getTask().getDecisionsCount());

        Task done = decide(client.reviewer("bob"), bob, true).getTask();
        assertEquals(TaskState.TASK_STATE_DONE, done.getState());
        assertTrue(done.hasGoldLabel());
        assertTrue(done.getGoldLabel());
        assertEquals(2, done.getDecisionsCount(), "after deciding, bob sees both decisions");
        assertTrue(done.hasCloseTime());
    }

    @Test
    void disagreementEscalatesToALeadWhoseDecisionResolvesTheTask() {
        String job = job();
        client.createTasks(job, 1, 2);
        ClaimNextTaskResponse ann = claim(client.reviewer("ann"), job);
        ClaimNextTaskResponse bob = claim(client.reviewer("bob"), job);
        decide(client.reviewer("ann"), ann, true);
        Task escalated = decide(client.reviewer("bob"), bob, false).getTask();
        assertEquals(TaskState.TASK_STATE_ESCALATED, escalated.getState());
        assertFalse(escalated.hasGoldLabel());

        ClaimNextTaskRequest escalatedOnly = ClaimNextTaskRequest.newBuilder().setJob("binocularJobs/" + job)
                .setEscalated(true).build();
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("cy").claimNextTask(escalatedOnly));
        assertEquals("ROLE_REQUIRED", reason(denied));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertFalse(claim(client.reviewer("cy"), job).hasTask(), "escalated tasks are not in the reviewers' queue");

        ClaimNextTaskResponse lead = client.lead("lea").claimNextTask(escalatedOnly);
        assertEquals(ann.getTask().getName(), lead.getTask().getName());
        assertEquals(2, lead.getTask().getDecisionsCount(), "leads see every decision");
        var resolved = decide(client.lead("lea"), lead, false);
        assertTrue(resolved.getDecision().getResolution());
        assertEquals(TaskState.TASK_STATE_DONE, resolved.getTask().getState());
        assertFalse(resolved.getTask().getGoldLabel());
        assertEquals(2, resolved.getTask().getDecisionCount(), "resolutions are not counted as decisions");

        var audit = client.lead("lea").listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setTask(ann.getTask().getName()).build()).getAuditEventsList();
        // Newest first.
        assertEquals(AuditAction.AUDIT_ACTION_RESOLVED, audit.get(0).getAction());
        assertTrue(audit.stream().anyMatch(e -> e.getAction() == AuditAction.AUDIT_ACTION_ESCALATED));
        assertEquals(3, audit.stream().filter(e -> e.getAction() == AuditAction.AUDIT_ACTION_CLAIMED).count());
        assertEquals(3,
                audit.stream().filter(e -> e.getAction() == AuditAction.AUDIT_ACTION_DECISION_SUBMITTED).count());
    }

    @Test
    void spansAreValidatedAgainstTheChosenPolicyText() {
        String job = job();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse claim = claim(client.reviewer("ann"), job);
        var api = client.reviewer("ann");
        SubmitDecisionRequest.Builder base = SubmitDecisionRequest.newBuilder().setTask(claim.getTask().getName())
                .setLeaseId(claim.getLease().getLeaseId()).setLabel(true)
                .setCorrectVersion(CorrectVersion.CORRECT_VERSION_B);
        int lengthB = ReviewClient.TEXT_B.length();

        assertEquals("SPAN_OUT_OF_RANGE", reason(assertThrows(StatusRuntimeException.class,
                () -> api.submitDecision(base.clone().setAmbiguousClause(span(PolicySide.POLICY_SIDE_B, 5,
                        lengthB + 1)).build()))));
        assertEquals("INVALID_SPAN", reason(assertThrows(StatusRuntimeException.class,
                () -> api.submitDecision(base.clone().setAmbiguousClause(span(PolicySide.POLICY_SIDE_B, 7, 7))
                        .build()))));
        assertEquals("INVALID_SPAN", reason(assertThrows(StatusRuntimeException.class,
                () -> api.submitDecision(base.clone().setAmbiguousClause(span(PolicySide.POLICY_SIDE_B, -1, 3))
                        .build()))));
        assertEquals("INVALID_SPAN", reason(assertThrows(StatusRuntimeException.class,
                () -> api.submitDecision(base.clone()
                        .setAmbiguousClause(span(PolicySide.POLICY_SIDE_UNSPECIFIED, 0, 3)).build()))));
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> api.submitDecision(base.clone().setCorrectVersion(CorrectVersion.CORRECT_VERSION_UNSPECIFIED)
                        .build()));
        assertEquals("CORRECT_VERSION_MISSING", reason(missing));
        assertEquals(Status.Code.INVALID_ARGUMENT, missing.getStatus().getCode());

        // Text A is longer than text B: a span valid in A is out of range in B and vice versa.
        int start = ReviewClient.TEXT_B.indexOf("demeans");
        var decision = api.submitDecision(base.clone()
                .setAmbiguousClause(span(PolicySide.POLICY_SIDE_B, start, lengthB)).setNote("too vague").build())
                .getDecision();
        assertEquals("demeans a specific person violates this policy.",
                decision.getAmbiguousClause().getQuotedText());
        assertEquals("too vague", decision.getNote());
    }

    @Test
    void aRetriedSubmissionReturnsTheFirstResultAndAReusedRequestIdIsRefused() {
        String job = job();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse claim = claim(client.reviewer("ann"), job);
        SubmitDecisionRequest request = SubmitDecisionRequest.newBuilder().setTask(claim.getTask().getName())
                .setLeaseId(claim.getLease().getLeaseId()).setLabel(true)
                .setCorrectVersion(CorrectVersion.CORRECT_VERSION_A).setRequestId("req-1").build();
        var first = client.reviewer("ann").submitDecision(request);
        var retry = client.reviewer("ann").submitDecision(request);
        assertEquals(first.getDecision(), retry.getDecision());
        assertEquals(TaskState.TASK_STATE_DONE, retry.getTask().getState());
        assertEquals("REQUEST_ID_REUSED", reason(assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("ann").submitDecision(request.toBuilder().setLabel(false).build()))));
    }

    @Test
    void rolesGateTheAuditLogOtherReviewersStatsAndAgreement() {
        String job = job();
        client.createTasks(job, 2, 1);
        ClaimNextTaskResponse mine = claim(client.reviewer("ivy"), job);
        decide(client.reviewer("ivy"), mine, true);

        StatusRuntimeException audit = assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("ivy").listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
        assertEquals("ROLE_REQUIRED", reason(audit));
        assertTrue(client.as("ada", "admin").listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setJob("binocularJobs/" + job).build()).getAuditEventsCount() >= 4);

        assertEquals("ROLE_REQUIRED", reason(assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("jon").getReviewerStats(
                        GetReviewerStatsRequest.newBuilder().setName("reviewers/ivy/stats").build()))));
        assertEquals(1, client.reviewer("ivy").getReviewerStats(
                GetReviewerStatsRequest.newBuilder().setName("reviewers/me/stats").build()).getReviewerStats()
                .getDecisionCount());
        assertEquals(1, client.lead("lea").getReviewerStats(
                GetReviewerStatsRequest.newBuilder().setName("reviewers/ivy/stats").build()).getReviewerStats()
                .getDecisionCount());
        assertEquals("REVIEWER_NOT_FOUND", reason(assertThrows(StatusRuntimeException.class,
                () -> client.lead("lea").getReviewerStats(
                        GetReviewerStatsRequest.newBuilder().setName("reviewers/nobody/stats").build()))));
        assertEquals("ROLE_REQUIRED", reason(assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("ivy").getAgreement(
                        GetAgreementRequest.newBuilder().setJob("binocularJobs/" + job).build()))));

        // Reviewers list only tasks they claimed or decided; leads list all.
        ListTasksRequest list = ListTasksRequest.newBuilder().setJob("binocularJobs/" + job).build();
        assertEquals(1, client.reviewer("ivy").listTasks(list).getTasksCount());
        assertEquals(0, client.reviewer("jon").listTasks(list).getTasksCount());
        assertEquals(2, client.lead("lea").listTasks(list).getTasksCount());

        // Keyset paging: one task per page, a token bound to the request.
        var first = client.lead("lea").listTasks(list.toBuilder().setPageSize(1).build());
        assertEquals(1, first.getTasksCount());
        var second = client.lead("lea").listTasks(list.toBuilder().setPageSize(1)
                .setPageToken(first.getNextPageToken()).build());
        assertEquals(1, second.getTasksCount());
        assertTrue(second.getNextPageToken().isEmpty());
        assertFalse(first.getTasks(0).getName().equals(second.getTasks(0).getName()));
        assertEquals("INVALID_PAGE_TOKEN", reason(assertThrows(StatusRuntimeException.class,
                () -> client.lead("lea").listTasks(ListTasksRequest.newBuilder().setPageSize(1)
                        .setPageToken(first.getNextPageToken()).build()))));

        StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class,
                () -> client.as(null, null).listTasks(list));
        assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", reason(anonymous));
        assertEquals("UNAUTHENTICATED", reason(assertThrows(StatusRuntimeException.class,
                () -> client.as("mallory", "superuser").listTasks(list))));
    }

    /**
     * Four tasks, k = 2, ann and bob label them (1,1), (1,1), (0,0), (1,0): Cohen's kappa 0.5 and percent agreement
     * 0.75 (worked in AgreementTest); the last one escalates.
     */
    @Test
    void agreementOfAJobMatchesTheHandComputedKappa() {
        String job = job();
        client.createTasks(job, 4, 2);
        boolean[][] labels = {{true, true}, {true, true}, {false, false}, {true, false}};
        for (boolean[] pair : labels) {
            ClaimNextTaskResponse ann = claim(client.reviewer("ann"), job);
            ClaimNextTaskResponse bob = claim(client.reviewer("bob"), job);
            assertEquals(ann.getTask().getName(), bob.getTask().getName());
            decide(client.reviewer("ann"), ann, pair[0]);
            decide(client.reviewer("bob"), bob, pair[1]);
        }
        var agreement = client.lead("lea").getAgreement(GetAgreementRequest.newBuilder()
                .setJob("binocularJobs/" + job).build()).getAgreement();
        assertEquals(AgreementMethod.AGREEMENT_METHOD_COHENS_KAPPA, agreement.getMethod());
        assertEquals(2, agreement.getRaterCount());
        assertEquals(4, agreement.getTaskCount());
        assertEquals(8, agreement.getDecisionCount());
        assertEquals(0.5, agreement.getKappa(), 1e-9);
        assertEquals(0.75, agreement.getPercentAgreement(), 1e-9);
        assertEquals(1, agreement.getEscalatedTaskCount());
        assertEquals(1, agreement.getPairsCount());
        assertEquals("ann", agreement.getPairs(0).getReviewerA());
        assertEquals(0.5, agreement.getPairs(0).getCohensKappa(), 1e-9);

        var stats = client.lead("lea").getReviewerStats(GetReviewerStatsRequest.newBuilder()
                .setName("reviewers/bob/stats").build()).getReviewerStats();
        assertTrue(stats.getDecisionCount() >= 4);
        assertTrue(stats.getDecisionsPerHour() > 0);
        assertTrue(stats.getOverlappedDecisionCount() >= 4);
        assertTrue(stats.getEscalationCount() >= 1);
    }

    private static ClauseSpan span(PolicySide side, int start, int end) {
        return ClauseSpan.newBuilder().setSide(side).setStartOffset(start).setEndOffset(end).build();
    }
}
