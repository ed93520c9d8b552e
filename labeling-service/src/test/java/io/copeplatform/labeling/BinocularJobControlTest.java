package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Consumer;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularLabel;
import io.copeplatform.api.labeling.v1.Budget;
import io.copeplatform.api.labeling.v1.CancelBinocularJobRequest;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CopeLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelOutcome;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.ListBinocularJobsRequest;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.labeling.v1.LlmEndpoint;
import io.copeplatform.api.labeling.v1.PauseReason;
import io.copeplatform.api.labeling.v1.ResumeBinocularJobRequest;
import io.copeplatform.labeling.service.JobRunner;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BinocularJobControlTest {

    private static LabelingClient client;
    private static Fixtures fixtures;
    private static String versionA;
    private static String versionB;

    @Inject
    JobRunner runner;

    @BeforeAll
    static void setUp() {
        client = new LabelingClient();
        fixtures = new Fixtures();
        String id = Fixtures.uniqueId("control");
        versionA = fixtures.publishedPolicy(id, Fixtures.POLICY_TEXT);
        versionB = fixtures.publishedPolicy(id + "-b", Fixtures.LENIENT_POLICY_TEXT);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        client.close();
        fixtures.close();
    }

    @Test
    void theBudgetPausesTheJobAndAResumeWithALargerBudgetFinishesItWithoutRelabeling() throws Exception {
        String dataset = dataset("budget", plain(10));
        String job = create(dataset, j -> j.setBudget(Budget.newBuilder().setMaxCalls(6)), 1);
        BinocularJob paused = awaitState(job, JobState.JOB_STATE_PAUSED);
        assertEquals(PauseReason.PAUSE_REASON_CALL_BUDGET, paused.getPauseReason());
        assertEquals(6, paused.getProgress().getUsage().getCallCount());
        assertEquals(6, labels(job).size() * 2 - missingB(job), "6 answers stored, one per call");

        StatusRuntimeException stillExhausted = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder()
                        .setName("binocularJobs/" + job).build()));
        assertEquals("BUDGET_EXHAUSTED", LabelingClient.reason(stillExhausted));

        client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder().setName("binocularJobs/" + job)
                .setBudget(Budget.newBuilder().setMaxCalls(100)).build());
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertTrue(done.getTargetReached());
        assertEquals(20, done.getProgress().getUsage().getCallCount(), "every (item, wording) asked exactly once");
        assertEquals(10, labels(job).size());
        assertEquals(0, missingB(job));

        StatusRuntimeException notPaused = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().resumeBinocularJob(ResumeBinocularJobRequest.newBuilder()
                        .setName("binocularJobs/" + job).build()));
        assertEquals("JOB_NOT_PAUSED", LabelingClient.reason(notPaused));
    }

    @Test
    void theTokenBudgetPausesTheJobToo() throws Exception {
        // The fake reports 101 tokens per call.
        String job = create(dataset("tokens", plain(5)), j -> j.setBudget(Budget.newBuilder().setMaxTokens(300)), 1);
        BinocularJob paused = awaitState(job, JobState.JOB_STATE_PAUSED);
        assertEquals(PauseReason.PAUSE_REASON_TOKEN_BUDGET, paused.getPauseReason());
        assertEquals(3, paused.getProgress().getUsage().getCallCount());
        assertEquals(303, paused.getProgress().getUsage().getTotalTokens());
    }

    @Test
    void aJsonAnswerFormatIsParsedFromTheConfiguredField() throws Exception {
        String job = create(dataset("json", List.of("Buy now #spam j1", "Hello j2")), j -> j.setLabeler(
                LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder()
                        .setAnswerFormat(io.copeplatform.api.labeling.v1.AnswerFormat.ANSWER_FORMAT_JSON))),
                1);
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertEquals(2, done.getIterations(0).getLabeledCount());
        List<BinocularLabel> labels = labels(job);
        assertTrue(labels.get(0).getLabelA().getLabel());
        assertEquals("{\"label\": 1}", labels.get(0).getLabelA().getRawAnswer());
        assertFalse(labels.get(1).getLabelA().getLabel());
    }

    @Test
    void malformedAnswersAreRetriedOnceThenCountedAndNeverCoerced() throws Exception {
        List<String> texts = new ArrayList<>(plain(3));
        texts.add("Answer me this #malformed 1");
        texts.add("Answer me that #malformed 2");
        texts.add("Almost right #malformed-once");
        String job = create(dataset("malformed", texts), j -> j.setTargetAgreement(0.5), 2);
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertEquals(2, done.getIterations(0).getMalformedCount());
        assertEquals(4, done.getIterations(0).getLabeledCount());
        assertEquals(4, done.getProgress().getUsage().getMalformedCount(), "2 items x 2 wordings");
        for (BinocularLabel label : labels(job)) {
            if (label.getLabelA().getRawAnswer().equals("perhaps")) {
                assertEquals(LabelOutcome.LABEL_OUTCOME_MALFORMED, label.getLabelA().getOutcome());
                assertEquals(2, label.getLabelA().getAttemptCount());
                assertFalse(label.getMismatch());
            }
        }
        long retriedOnce = labels(job).stream()
                .filter(l -> l.getLabelA().getOutcome() == LabelOutcome.LABEL_OUTCOME_LABELED
                        && l.getLabelA().getAttemptCount() == 2)
                .count();
        assertEquals(1, retriedOnce, "the #malformed-once item was labeled on its second answer");
    }

    @Test
    void rateLimitsServerErrorsAndTimeoutsAreRetriedUntilAnswered() throws Exception {
        String job = create(dataset("transient", List.of("Slow down #429", "Oops #500", "Take your time #slow")),
                j -> j.setTargetAgreement(0.5), 3);
        BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
        assertEquals(6, done.getProgress().getUsage().getRetryCount(), "first call of each (item, wording) failed");
        assertEquals(12, done.getProgress().getUsage().getCallCount());
        assertEquals(3, done.getIterations(0).getLabeledCount());
        assertTrue(labels(job).stream().allMatch(l -> l.getLabelA().getOutcome() == LabelOutcome.LABEL_OUTCOME_LABELED
                && l.getLabelB().getOutcome() == LabelOutcome.LABEL_OUTCOME_LABELED));
    }

    @Test
    void anUnreachableLlmFailsTheJobWithLlmUnavailable() throws Exception {
        String job = create(dataset("down", plain(2)), j -> j.setLabeler(LabelerConfig.newBuilder()
                .setChatCompletions(ChatCompletionsLabeler.newBuilder().setEndpoint(LlmEndpoint.newBuilder()
                        .setBaseUrl("http://localhost:1/v1")))
                .setLimits(LabelerLimits.newBuilder().setMaxRetries(1))), 2);
        BinocularJob failed = awaitState(job, JobState.JOB_STATE_FAILED);
        assertEquals("LLM_UNAVAILABLE", failed.getFailureReason());
        assertEquals(4, failed.getProgress().getUsage().getFailedCallCount());
        assertEquals(4, failed.getProgress().getUsage().getRetryCount());
    }

    @Test
    void anUnreachableInferenceServiceFailsACopeJob() throws Exception {
        String job = create(dataset("cope-down", plain(1)), j -> j.setLabeler(LabelerConfig.newBuilder()
                .setCope(CopeLabeler.newBuilder()).setLimits(LabelerLimits.newBuilder().setMaxRetries(0))), 1);
        BinocularJob failed = awaitState(job, JobState.JOB_STATE_FAILED);
        assertEquals("INFERENCE_UNAVAILABLE", failed.getFailureReason());
    }

    @Test
    void aRestartInTheMiddleOfLabelingResumesWithoutLabelingAnythingTwice() throws Exception {
        try (FakeLlm slow = FakeLlm.start()) {
            slow.latency = Duration.ofMillis(100);
            String job = create(dataset("restart", plain(30)), j -> j.setLabeler(LabelerConfig.newBuilder()
                    .setChatCompletions(ChatCompletionsLabeler.newBuilder().setEndpoint(LlmEndpoint.newBuilder()
                            .setBaseUrl(slow.baseUrl())))
                    .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(2))), 2);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> get(job).getProgress().getUsage().getCallCount() >= 16);
            runner.stop();
            long before = slow.labelRequests();
            assertTrue(before < 60, "stopped mid-way: " + before);
            runner.start();
            BinocularJob done = awaitState(job, JobState.JOB_STATE_SUCCEEDED);
            assertEquals(30, done.getIterations(0).getLabeledCount());
            List<BinocularLabel> labels = labels(job);
            assertEquals(30, labels.size());
            assertEquals(30, new HashSet<>(labels.stream().map(BinocularLabel::getItem).toList()).size());
            // Only answers in flight at the stop (at most the concurrency, 2) may have been asked again.
            assertTrue(slow.labelRequests() <= 62, "label requests: " + slow.labelRequests());
        }
    }

    @Test
    void aCancelledJobStopsAndCannotBeCancelledTwice() throws Exception {
        try (FakeLlm slow = FakeLlm.start()) {
            slow.latency = Duration.ofMillis(200);
            String job = create(dataset("cancel", plain(40)), j -> j.setLabeler(LabelerConfig.newBuilder()
                    .setChatCompletions(ChatCompletionsLabeler.newBuilder().setEndpoint(LlmEndpoint.newBuilder()
                            .setBaseUrl(slow.baseUrl())))
                    .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(1))), 1);
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> slow.labelRequests() >= 2);
            BinocularJob cancelled = client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder()
                    .setName("binocularJobs/" + job).setReason("wrong dataset").build()).getBinocularJob();
            assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
            long at = slow.labelRequests();
            StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                    () -> client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder()
                            .setName("binocularJobs/" + job).build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());
            assertEquals("JOB_NOT_CANCELLABLE", LabelingClient.reason(again));
            Awaitility.await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                    .until(() -> slow.labelRequests() <= at + 1);
            assertEquals(JobState.JOB_STATE_CANCELLED, get(job).getState());
        }
    }

    @Test
    void invalidJobsAreRefusedWithStableReasons() throws Exception {
        String dataset = dataset("invalid", plain(1));
        assertEquals("INVALID_TARGET_AGREEMENT", refused(dataset, j -> j.setTargetAgreement(1.5)));
        assertEquals("INVALID_TARGET_AGREEMENT", refused(dataset, j -> j.setTargetAgreement(0)));
        assertEquals("INVALID_REFERENCE", refused(dataset, j -> j.setPolicyVersionA("spam@live")));
        assertEquals("POLICY_VERSION_NOT_FOUND", refused(dataset, j -> j.setPolicyVersionA(
                "policies/no-such-policy/versions/1")));
        assertEquals("INVALID_REFERENCE", refused(dataset, j -> j.setDataset("dataset/x")));
        assertEquals("DATASET_NOT_FOUND", refused(dataset, j -> j.setDataset("datasets/no-such-dataset")));
        assertEquals("INVALID_ARGUMENT", refused(dataset, BinocularJob.Builder::clearPolicyB));
        assertEquals("INVALID_LABELER_CONFIG", refused(dataset, j -> j.setLabeler(LabelerConfig.newBuilder()
                .setChatCompletions(ChatCompletionsLabeler.newBuilder().setEndpoint(LlmEndpoint.newBuilder()
                        .setApiKeySecret("no-such-secret"))))));
        assertEquals("INVALID_LABELER_CONFIG", refused(dataset, j -> j.setLabeler(LabelerConfig.newBuilder())));
        client.blocking().createDataset(io.copeplatform.api.labeling.v1.CreateDatasetRequest.newBuilder()
                .setDatasetId(dataset + "-empty").build());
        assertEquals("DATASET_EMPTY", refused(dataset, j -> j.setDataset("datasets/" + dataset + "-empty")));

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> get("no-such-job"));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals("JOB_NOT_FOUND", LabelingClient.reason(missing));
    }

    @Test
    void aRetryWithTheSameRequestIdReturnsTheFirstJobAndADifferentRequestIsRefused() throws Exception {
        String dataset = dataset("idem", plain(1));
        CreateBinocularJobRequest request = CreateBinocularJobRequest.newBuilder().setBinocularJob(job(dataset, 1)
                .setTargetAgreement(0.5)).setRequestId("req-" + dataset).build();
        BinocularJob first = client.blocking().createBinocularJob(request).getBinocularJob();
        BinocularJob retry = client.blocking().createBinocularJob(request).getBinocularJob();
        assertEquals(first.getName(), retry.getName());
        StatusRuntimeException reused = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().createBinocularJob(request.toBuilder().setBinocularJob(request
                        .getBinocularJob().toBuilder().setTargetAgreement(0.6)).build()));
        assertEquals("REQUEST_ID_REUSED", LabelingClient.reason(reused));
        String id = first.getName().substring("binocularJobs/".length());
        StatusRuntimeException exists = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                        .setBinocularJobId(id).setBinocularJob(job(dataset, 1)).build()));
        assertEquals("JOB_ALREADY_EXISTS", LabelingClient.reason(exists));
        awaitState(id, JobState.JOB_STATE_SUCCEEDED);
        assertTrue(client.blocking().listBinocularJobs(ListBinocularJobsRequest.newBuilder()
                .setDataset("datasets/" + dataset).build()).getBinocularJobsList().stream()
                .anyMatch(j -> j.getName().equals(first.getName())));
    }

    // ---- helpers ----

    static List<String> plain(int n) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add("An ordinary post number " + i);
        }
        return texts;
    }

    static String dataset(String prefix, List<String> texts) throws Exception {
        String id = Fixtures.uniqueId(prefix);
        Fixtures.dataset(client, id, texts, null);
        return id;
    }

    static BinocularJob.Builder job(String dataset, int concurrency) {
        return BinocularJob.newBuilder().setPolicyVersionA(versionA).setPolicyVersionB(versionB)
                .setDataset("datasets/" + dataset)
                .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder())
                        .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(concurrency)))
                .setTargetAgreement(0.95);
    }

    static String create(String dataset, Consumer<BinocularJob.Builder> customize, int concurrency) {
        BinocularJob.Builder job = job(dataset, concurrency);
        customize.accept(job);
        return client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder().setBinocularJob(job)
                .build()).getBinocularJob().getName().substring("binocularJobs/".length());
    }

    static String refused(String dataset, Consumer<BinocularJob.Builder> customize) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> create(dataset, customize, 1));
        return LabelingClient.reason(e);
    }

    static BinocularJob get(String job) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder()
                .setName("binocularJobs/" + job).build()).getBinocularJob();
    }

    static BinocularJob awaitState(String job, JobState state) {
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getState() == state);
        return get(job);
    }

    static List<BinocularLabel> labels(String job) {
        return client.blocking().listBinocularLabels(ListBinocularLabelsRequest.newBuilder()
                .setParent("binocularJobs/" + job + "/iterations/1").setPageSize(1000).build())
                .getBinocularLabelsList();
    }

    static int missingB(String job) {
        return (int) labels(job).stream().filter(l -> !l.hasLabelB()).count();
    }
}
