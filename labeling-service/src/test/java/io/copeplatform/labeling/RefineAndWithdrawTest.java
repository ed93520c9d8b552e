package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.api.labeling.v1.BinocularIteration;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.Budget;
import io.copeplatform.api.labeling.v1.CancelBinocularJobRequest;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.IterationPhase;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.PauseReason;
import io.copeplatform.api.labeling.v1.ResumeBinocularJobRequest;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyView;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.TaskState;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.domain.Sha256;
import io.copeplatform.labeling.service.PolicyRegistry;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The refine step never overwrites a human's draft (optimistic concurrency on the draft etag, against the real
 * registry), and cancelling a job withdraws its open review tasks through the outbox.
 */
@QuarkusTest
class RefineAndWithdrawTest {

    private static final String HUMAN_LINE = "- Posts quoting a price count as promotions (added by a policy writer).";
    private static LabelingClient client;
    private static Fixtures fixtures;

    @Inject
    PolicyRegistry registry;

    @Inject
    AgroalDataSource db;

    @BeforeAll
    static void connect() {
        client = new LabelingClient();
        fixtures = new Fixtures();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
        fixtures.close();
    }

    /** A policy with version 1 (strict clause) and a published lenient wording B; returns {id, version A, B}. */
    private static String[] policies(String prefix) {
        String id = Fixtures.uniqueId(prefix);
        String a = fixtures.publishedPolicy(id, Fixtures.POLICY_TEXT);
        String b = fixtures.publishedPolicy(id + "-b", Fixtures.LENIENT_POLICY_TEXT);
        return new String[]{id, a, b};
    }

    /** A job whose first iteration has 6 mismatches (the #borderline items) waiting for review. */
    private static String waitingJob(String versionA, String versionB, boolean continueAfterRefine)
            throws Exception {
        String dataset = Fixtures.uniqueId("refine");
        Fixtures.dataset(client, dataset, BinocularJobFlowTest.flowTexts(), null);
        String job = client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                .setBinocularJob(BinocularJob.newBuilder().setPolicyVersionA(versionA).setPolicyVersionB(versionB)
                        .setDataset("datasets/" + dataset)
                        .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder())
                                .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(4)))
                        .setTargetAgreement(0.95).setMaxIterations(2).setContinueAfterRefine(continueAfterRefine))
                .build()).getBinocularJob().getName().substring("binocularJobs/".length());
        awaitState(job, JobState.JOB_STATE_WAITING_FOR_REVIEW);
        return job;
    }

    /** Publishes a DONE decision (A was right) for each task. */
    private static void decideAll(String job, List<ReviewTaskCreated> tasks) {
        for (ReviewTaskCreated t : tasks) {
            fixtures.publish("review.decisions.v1", job, ReviewDecisionMade.newBuilder()
                    .setEventId(UUID.randomUUID().toString()).setTask("tasks/" + t.getEventId())
                    .setDecision("tasks/" + t.getEventId() + "/decisions/d1").setJob(t.getJob())
                    .setIteration(t.getIteration()).setItem(t.getItem()).setReviewer("alice").setLabel(true)
                    .setCorrectVersion(CorrectVersion.CORRECT_VERSION_A).setNote("promotions are solicitations")
                    .setRequiredDecisions(1).setDecisionCount(1).setTaskState(TaskState.TASK_STATE_DONE)
                    .setGoldLabel(true).build().toByteArray());
        }
    }

    /** A policy writer edits the draft in the registry (their own etag, read just before). */
    private static PolicyDraft humanEdit(String policyId) {
        PolicyDraft current = draft(policyId);
        return fixtures.registry().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder().setDraft(PolicyDraft
                .newBuilder().setName("policies/" + policyId + "/draft").setEtag(current.getEtag())
                .setText(Fixtures.POLICY_TEXT + "\n" + HUMAN_LINE + "\n").setNote("writer's edit")).build())
                .getDraft();
    }

    private static PolicyDraft draft(String policyId) {
        return fixtures.registry().getPolicy(GetPolicyRequest.newBuilder().setName("policies/" + policyId)
                .setView(PolicyView.POLICY_VIEW_FULL).build()).getPolicy().getDraft();
    }

    @Test
    void aDraftEditedWhileReviewersWorkIsNotOverwrittenAndTheResumedJobLabelsTheHumansDraft() throws Exception {
        String[] p = policies("conflict");
        String job = waitingJob(p[1], p[2], true);
        List<ReviewTaskCreated> tasks = Fixtures.awaitReviewTasks("binocularJobs/" + job, 6, Duration.ofSeconds(60));
        PolicyDraft human = humanEdit(p[0]);
        decideAll(job, tasks);

        BinocularJob paused = awaitState(job, JobState.JOB_STATE_PAUSED);
        assertEquals(PauseReason.PAUSE_REASON_DRAFT_CONFLICT, paused.getPauseReason());
        BinocularIteration first = paused.getIterations(0);
        assertTrue(first.getDraftConflict());
        assertEquals(IterationPhase.ITERATION_PHASE_REFINING, first.getPhase());
        assertTrue(first.getProposedText().contains(FakeLlm.REFINED_CLAUSE), "the proposal is kept on the iteration");
        assertFalse(first.hasRefinedDraft(), "nothing was written");
        PolicyDraft after = draft(p[0]);
        assertEquals(human.getText(), after.getText(), "the human's draft is untouched");
        assertEquals(human.getEtag(), after.getEtag());

        // Resume: the proposal is not written; iteration 2 labels the human's draft against a fresh paraphrase.
        client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .build());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getIterationsCount() == 2
                        && get(job).getState() == JobState.JOB_STATE_WAITING_FOR_REVIEW);
        BinocularJob resumed = get(job);
        BinocularIteration firstAfter = resumed.getIterations(0);
        assertEquals(IterationPhase.ITERATION_PHASE_COMPLETED, firstAfter.getPhase());
        assertFalse(firstAfter.hasRefinedDraft());
        assertTrue(firstAfter.getProposedText().contains(FakeLlm.REFINED_CLAUSE));
        BinocularIteration second = resumed.getIterations(1);
        assertEquals(Sha256.hex(human.getText()), second.getPolicyA().getTextSha256());
        assertEquals(human.getEtag(), second.getPolicyA().getDraftEtag());
        assertEquals(human.getText(), draft(p[0]).getText());
        client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .build());
    }

    @Test
    void aDraftWithUnpublishedEditsBeforeTheJobStartedIsNotOverwrittenEither() throws Exception {
        String[] p = policies("predit");
        PolicyDraft human = humanEdit(p[0]);
        String job = waitingJob(p[1], p[2], false);
        decideAll(job, Fixtures.awaitReviewTasks("binocularJobs/" + job, 6, Duration.ofSeconds(60)));

        BinocularJob paused = awaitState(job, JobState.JOB_STATE_PAUSED);
        assertEquals(PauseReason.PAUSE_REASON_DRAFT_CONFLICT, paused.getPauseReason());
        assertEquals(human.getText(), draft(p[0]).getText());

        // Resumed without iterations to continue: the job ends, target not reached, the proposal on the iteration.
        client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .build());
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertFalse(done.getTargetReached());
        assertEquals(1, done.getIterationsCount());
        assertTrue(done.getIterations(0).getDraftConflict());
        assertTrue(done.getIterations(0).getProposedText().contains(FakeLlm.REFINED_CLAUSE));
        assertEquals(human.getText(), draft(p[0]).getText());
        assertEquals(human.getEtag(), draft(p[0]).getEtag());
    }

    @Test
    void aJobWhoseBudgetLabelingUsedUpPausesBeforeTheRefinementCall() throws Exception {
        String[] p = policies("budget-refine");
        String dataset = Fixtures.uniqueId("refine");
        Fixtures.dataset(client, dataset, BinocularJobFlowTest.flowTexts(), null);
        int calls = 2 * BinocularJobFlowTest.flowTexts().size(); // labeling both wordings takes exactly these
        String job = client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                .setBinocularJob(BinocularJob.newBuilder().setPolicyVersionA(p[1]).setPolicyVersionB(p[2])
                        .setDataset("datasets/" + dataset)
                        .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder())
                                .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(4)))
                        .setTargetAgreement(0.95).setBudget(Budget.newBuilder().setMaxCalls(calls)))
                .build()).getBinocularJob().getName().substring("binocularJobs/".length());
        awaitState(job, JobState.JOB_STATE_WAITING_FOR_REVIEW);
        decideAll(job, Fixtures.awaitReviewTasks("binocularJobs/" + job, 6, Duration.ofSeconds(60)));

        BinocularJob paused = awaitState(job, JobState.JOB_STATE_PAUSED);
        assertEquals(PauseReason.PAUSE_REASON_CALL_BUDGET, paused.getPauseReason());
        assertEquals(calls, paused.getProgress().getUsage().getCallCount(), "no call beyond the budget");
        assertEquals("", paused.getIterations(0).getProposedText());

        client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .setBudget(Budget.newBuilder().setMaxCalls(calls + 10)).build());
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertTrue(done.getIterations(0).getProposedText().contains(FakeLlm.REFINED_CLAUSE));
    }

    @Test
    void aDraftIsSavedOnlyOverItsSnapshotEtagAndARetriedOwnWriteCountsAsSaved() {
        String id = Fixtures.uniqueId("etag");
        fixtures.publishedPolicy(id, Fixtures.POLICY_TEXT);
        String policy = "policies/" + id;
        String etag = registry.draftEtagIfText(policy, Sha256.hex(Fixtures.POLICY_TEXT));
        assertFalse(etag.isEmpty(), "the draft holds the published text");
        assertEquals("", registry.draftEtagIfText(policy, Sha256.hex("another text")));

        String proposal = Fixtures.POLICY_TEXT.replace(FakeLlm.STRICT_CLAUSE, FakeLlm.REFINED_CLAUSE);
        PolicySnapshot saved = registry.saveDraft(policy, proposal, "refined", etag).orElseThrow();
        assertEquals(proposal, draft(id).getText());
        assertEquals(saved.draftEtag(), draft(id).getEtag());
        // The same write again with the old etag (a retry after a crash before it was recorded): already there.
        assertEquals(saved.draftEtag(), registry.saveDraft(policy, proposal, "refined", etag).orElseThrow()
                .draftEtag());
        // Other text over a stale etag, or without an etag (the draft held other text at the start): refused.
        assertTrue(registry.saveDraft(policy, Fixtures.POLICY_TEXT, "refined", etag).isEmpty());
        assertTrue(registry.saveDraft(policy, Fixtures.POLICY_TEXT, "refined", "").isEmpty());
        assertEquals(proposal, draft(id).getText());
        assertEquals(saved.draftEtag(), draft(id).getEtag(), "the draft was not touched");
    }

    @Test
    void aJobStoppedBetweenCompletingAnIterationAndStartingTheNextStartsItWhenPickedUpAgain() throws Exception {
        String[] p = policies("between");
        String job = waitingJob(p[1], p[2], true);
        // As if the instance had completed iteration 1 (refined, proposal not saved) and died before iteration 2.
        try (Connection c = db.getConnection();
                PreparedStatement it = c.prepareStatement("UPDATE labeling.iterations SET phase = 'COMPLETED', "
                        + "end_time = now() WHERE job_id = ? AND iteration = 1");
                PreparedStatement state = c.prepareStatement("UPDATE labeling.jobs SET state = 'RUNNING' "
                        + "WHERE id = ?")) {
            it.setString(1, job);
            assertEquals(1, it.executeUpdate());
            state.setString(1, job);
            assertEquals(1, state.executeUpdate());
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getIterationsCount() == 2
                        && get(job).getState() == JobState.JOB_STATE_WAITING_FOR_REVIEW);
        BinocularIteration second = get(job).getIterations(1);
        assertEquals(Sha256.hex(draft(p[0]).getText()), second.getPolicyA().getTextSha256(),
                "iteration 2 labels the policy's current draft");
        assertEquals(6, second.getMismatchCount());
        client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .build());
    }

    @Test
    void cancellingAJobWaitingForReviewWithdrawsItsReviewTasks() throws Exception {
        String[] p = policies("withdraw");
        String job = waitingJob(p[1], p[2], true);
        Fixtures.awaitReviewTasks("binocularJobs/" + job, 6, Duration.ofSeconds(60));
        client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .setReason("wrong policy").build());

        ReviewTasksWithdrawn withdrawn = Fixtures.awaitWithdrawal("binocularJobs/" + job, Duration.ofSeconds(30));
        assertEquals(0, withdrawn.getIteration(), "every iteration's tasks");
        assertEquals("wrong policy", withdrawn.getReason());
        assertFalse(withdrawn.getEventId().isEmpty());
        assertTrue(withdrawn.hasEventTime());
        assertEquals(JobState.JOB_STATE_CANCELLED, get(job).getState());
    }

    private static BinocularJob get(String job) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder()
                .setName("binocularJobs/" + job).build()).getBinocularJob();
    }

    private static BinocularJob awaitState(String job, JobState state) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getState() == state);
        return get(job);
    }
}
