package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.inference.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyBatchItem;
import io.copeplatform.api.inference.v1.ClassifyBatchRequest;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.api.inference.v1.PolicySource;
import io.copeplatform.api.labeling.v1.BinaryClassificationMetrics;
import io.copeplatform.api.labeling.v1.BinocularIteration;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularLabel;
import io.copeplatform.api.labeling.v1.CopeLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.CreateEvaluationRequest;
import io.copeplatform.api.labeling.v1.Evaluation;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetEvaluationRequest;
import io.copeplatform.api.labeling.v1.ItemLabel;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelOutcome;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.policy.v1.DeterminismScore;
import io.copeplatform.api.policy.v1.EvaluationScore;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.testkit.model.TinyModel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * CoPE as the labeler, through the REAL inference-service (a child JVM serving the project's tiny TEST model): a
 * binocular job and an evaluation get real scores from the model, and every record of who labeled names the test model
 * that answered, never "CoPE".
 */
@QuarkusTest
@TestProfile(RealInferenceProfile.class)
class CopeLabelerTest {

    private static final String TEST_MODEL = TinyModel.NAME + "@" + TinyModel.VERSION;
    private static LabelingClient client;
    private static Fixtures fixtures;
    private static ManagedChannel inferenceChannel;

    @BeforeAll
    static void connect() {
        client = new LabelingClient();
        fixtures = new Fixtures();
        inferenceChannel = ManagedChannelBuilder.forAddress("localhost", InferenceProcess.get().port()).usePlaintext()
                .build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
        fixtures.close();
        inferenceChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static List<String> texts() {
        return List.of("Cheap watches, DM me to buy #spam 1", "Buy followers now, limited offer", "Check out my shop",
                "What a lovely day at the beach", "Free crypto giveaway, send 1 BTC to get 2 back",
                "I had pasta for lunch", "Click this link to win a phone", "Our team meeting moved to 3pm",
                "Visit my profile for exclusive deals", "The museum opens at nine");
    }

    static LabelerConfig cope() {
        return LabelerConfig.newBuilder().setCope(CopeLabeler.newBuilder())
                .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(4)).build();
    }

    @Test
    void aBinocularJobLabelsBothWordingsWithTheRealModelAndNamesTheTestModel() throws Exception {
        String policyId = Fixtures.uniqueId("cope-a");
        String versionA = fixtures.publishedPolicy(policyId, Fixtures.POLICY_TEXT);
        String versionB = fixtures.publishedPolicy(policyId + "-b", Fixtures.LENIENT_POLICY_TEXT);
        String dataset = Fixtures.uniqueId("cope-job");
        Fixtures.dataset(client, dataset, texts(), null);
        String jobId = Fixtures.uniqueId("cope-job");
        client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder().setBinocularJobId(jobId)
                .setBinocularJob(BinocularJob.newBuilder().setPolicyVersionA(versionA).setPolicyVersionB(versionB)
                        .setDataset("datasets/" + dataset).setLabeler(cope()).setTargetAgreement(1.0)
                        .setMaxIterations(1))
                .build());

        // Whatever the untrained model answers, labeling ends: agreement 1.0 succeeds, anything less waits for review.
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JobState state = get(jobId).getState();
            assertFalse(state == JobState.JOB_STATE_FAILED, () -> "failed: " + get(jobId));
            return state == JobState.JOB_STATE_SUCCEEDED || state == JobState.JOB_STATE_WAITING_FOR_REVIEW;
        });
        BinocularJob job = get(jobId);
        BinocularIteration it = job.getIterations(0);
        assertEquals(10, it.getLabeledCount());
        assertEquals(0, it.getFailedCount());

        List<BinocularLabel> labels = client.blocking().listBinocularLabels(ListBinocularLabelsRequest.newBuilder()
                .setParent("binocularJobs/" + jobId + "/iterations/1").build()).getBinocularLabelsList();
        assertEquals(10, labels.size());
        Set<Double> scores = new HashSet<>();
        int agreeing = 0;
        for (BinocularLabel label : labels) {
            for (ItemLabel answer : List.of(label.getLabelA(), label.getLabelB())) {
                assertEquals(LabelOutcome.LABEL_OUTCOME_LABELED, answer.getOutcome());
                assertTrue(answer.hasScore());
                assertTrue(answer.getScore() >= 0 && answer.getScore() <= 1, "score " + answer.getScore());
                assertEquals(answer.getScore() >= 0.5, answer.getLabel(), "label = score >= 0.5");
                assertEquals(answer.getLabel() ? "1" : "0", answer.getRawAnswer());
                assertEquals(TinyModel.NAME, answer.getModel());
                assertEquals(TinyModel.VERSION, answer.getModelVersion());
                assertTrue(answer.getPromptTokens() > 0);
                scores.add(answer.getScore());
            }
            if (label.getLabelA().getLabel() == label.getLabelB().getLabel()) {
                agreeing++;
            }
            assertEquals(label.getLabelA().getLabel() != label.getLabelB().getLabel(), label.getMismatch());
        }
        assertTrue(scores.size() > 1, "the model's scores depend on the prompt: " + scores);
        assertEquals(agreeing / 10.0, it.getPercentAgreement(), 1e-9);
        assertEquals(10 - agreeing, it.getMismatchCount());

        // The scores are the model's: the same prompt asked of inference-service directly gives the same score
        // (labels come in import order, so the first is texts().get(0) under wording A).
        BinocularLabel first = labels.get(0);
        ClassificationResult direct = InferenceServiceGrpc.newBlockingStub(inferenceChannel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .classifyBatch(ClassifyBatchRequest.newBuilder()
                        .addPolicies(PolicySource.newBuilder().setPolicyText(Fixtures.POLICY_TEXT))
                        .addItems(ClassifyBatchItem.newBuilder().setContent(texts().get(0)).addPolicyIndexes(0))
                        .build())
                .getResults(0).getResult();
        assertEquals(direct.getScore(), first.getLabelA().getScore(), 1e-6);

        // The determinism score on the version names the model that answered, not "CoPE".
        DeterminismScore determinism = fixtures.registry().getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName(versionA).build()).getPolicyVersion().getMetrics().getDeterminism();
        assertEquals("inference-service:" + TEST_MODEL, determinism.getLabeler());
        assertEquals(agreeing / 10.0, determinism.getPercentAgreement(), 1e-9);
        if (job.getState() == JobState.JOB_STATE_WAITING_FOR_REVIEW) {
            List<ReviewTaskCreated> tasks = Fixtures.awaitReviewTasks("binocularJobs/" + jobId, 10 - agreeing,
                    Duration.ofSeconds(60));
            assertTrue(tasks.stream().allMatch(t -> t.getLabeler().equals("inference-service:" + TEST_MODEL)));
        } else {
            assertTrue(job.getTargetReached());
        }
    }

    @Test
    void anEvaluationScoresGoldLabelsWithTheRealModelAndRecordsTheTestModel() throws Exception {
        String version = fixtures.publishedPolicy(Fixtures.uniqueId("cope-eval"), Fixtures.POLICY_TEXT);
        String dataset = Fixtures.uniqueId("cope-gold");
        List<Boolean> gold = Arrays.asList(true, true, false, false, true, false, true, false, true, false);
        Fixtures.dataset(client, dataset, texts(), gold);
        Evaluation created = client.blocking().createEvaluation(CreateEvaluationRequest.newBuilder()
                .setEvaluation(Evaluation.newBuilder().setPolicyVersion(version).setDataset("datasets/" + dataset)
                        .setLabeler(cope()))
                .build()).getEvaluation();
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JobState state = evaluation(created.getName()).getState();
            assertNotEquals(JobState.JOB_STATE_FAILED, state, () -> evaluation(created.getName()).toString());
            return state == JobState.JOB_STATE_SUCCEEDED;
        });
        Evaluation e = evaluation(created.getName());
        assertEquals(10, e.getEvaluatedCount());
        assertEquals(TinyModel.NAME, e.getModel());
        assertEquals(TinyModel.VERSION, e.getModelVersion());
        BinaryClassificationMetrics m = e.getMetrics();
        var cm = m.getConfusionMatrix();
        assertEquals(10, cm.getTruePositiveCount() + cm.getFalsePositiveCount() + cm.getTrueNegativeCount()
                + cm.getFalseNegativeCount());
        assertEquals(5, cm.getTruePositiveCount() + cm.getFalseNegativeCount(), "5 gold positives");
        assertEquals((cm.getTruePositiveCount() + cm.getTrueNegativeCount()) / 10.0, m.getAccuracy(), 1e-9);
        // The sweep needs real scores: predicted positives never grow as the threshold rises.
        assertEquals(9, e.getThresholdMetricsCount());
        long previous = Long.MAX_VALUE;
        for (BinaryClassificationMetrics at : e.getThresholdMetricsList()) {
            long positives = at.getConfusionMatrix().getTruePositiveCount()
                    + at.getConfusionMatrix().getFalsePositiveCount();
            assertTrue(positives <= previous, "monotone sweep");
            previous = positives;
        }

        EvaluationScore recorded = fixtures.registry().getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName(version).build()).getPolicyVersion().getMetrics().getEvaluationsList().stream()
                .filter(s -> s.getEvaluation().equals(e.getName())).findFirst().orElseThrow();
        assertEquals(TinyModel.NAME, recorded.getModel());
        assertEquals(TinyModel.VERSION, recorded.getModelVersion());
        assertEquals(m.getF1(), recorded.getF1(), 1e-9);
    }

    private static BinocularJob get(String jobId) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder()
                .setName("binocularJobs/" + jobId).build()).getBinocularJob();
    }

    private static Evaluation evaluation(String name) {
        return client.blocking().getEvaluation(GetEvaluationRequest.newBuilder().setName(name).build())
                .getEvaluation();
    }
}
