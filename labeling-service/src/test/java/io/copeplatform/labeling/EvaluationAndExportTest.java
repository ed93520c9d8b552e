package io.copeplatform.labeling;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.api.labeling.v1.BinaryClassificationMetrics;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CreateEvaluationRequest;
import io.copeplatform.api.labeling.v1.Evaluation;
import io.copeplatform.api.labeling.v1.ExportTrainingSetRequest;
import io.copeplatform.api.labeling.v1.ExportTrainingSetResponse;
import io.copeplatform.api.labeling.v1.GetEvaluationRequest;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.ListEvaluationsRequest;
import io.copeplatform.api.labeling.v1.LlmEndpoint;
import io.copeplatform.api.labeling.v1.TrainingRow;
import io.copeplatform.api.labeling.v1.TrainingSetSummary;
import io.copeplatform.api.policy.v1.EvaluationScore;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.testkit.RegistryProcess;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class EvaluationAndExportTest {

    private static final String SHARED = "Limited offer, buy now #spam a1";
    private static LabelingClient client;
    private static Fixtures fixtures;
    private static String policyId;
    private static String version1;
    private static String version2;

    @BeforeAll
    static void setUp() {
        client = new LabelingClient();
        fixtures = new Fixtures();
        policyId = Fixtures.uniqueId("eval");
        version1 = fixtures.publishedPolicy(policyId, Fixtures.POLICY_TEXT);
        version2 = fixtures.publishedPolicy(policyId + "-strict", Fixtures.LENIENT_POLICY_TEXT);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        client.close();
        fixtures.close();
    }

    /** Predictions: "#spam" -> 1 (score 0.9), else 0 (score 0.2). TP 3, FP 1, TN 4, FN 2, one item without gold. */
    static String goldDataset() throws Exception {
        String id = Fixtures.uniqueId("gold");
        List<String> texts = List.of(SHARED, "Cheap pills #spam a2", "Free money #spam a3", "Ironic #spam b1",
                "Nice weather c1", "Nice weather c2", "Nice weather c3", "Nice weather c4", "Sneaky scam d1",
                "Sneaky scam d2", "Not reviewed yet");
        List<Boolean> gold = Arrays.asList(true, true, true, false, false, false, false, false, true, true, null);
        Fixtures.dataset(client, id, texts, gold);
        return id;
    }

    static Evaluation evaluate(String dataset, String version) {
        Evaluation created = client.blocking().createEvaluation(CreateEvaluationRequest.newBuilder()
                .setEvaluation(Evaluation.newBuilder().setPolicyVersion(version).setDataset("datasets/" + dataset)
                        .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder()
                                .setRequestLogprobs(true))))
                .build()).getEvaluation();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(created.getName()).getState() == JobState.JOB_STATE_SUCCEEDED);
        return get(created.getName());
    }

    static Evaluation get(String name) {
        return client.blocking().getEvaluation(GetEvaluationRequest.newBuilder().setName(name).build())
                .getEvaluation();
    }

    @Test
    void anEvaluationEndingWhileTheRegistryIsDownWaitsAndRecordsItsF1OnceItIsBack() throws Exception {
        String dataset = goldDataset();
        try (FakeLlm slow = FakeLlm.start()) {
            slow.latency = Duration.ofMillis(150);
            String name = client.blocking().createEvaluation(CreateEvaluationRequest.newBuilder()
                    .setEvaluation(Evaluation.newBuilder().setPolicyVersion(version1).setDataset("datasets/" + dataset)
                            .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler
                                    .newBuilder().setRequestLogprobs(true)
                                    .setEndpoint(LlmEndpoint.newBuilder().setBaseUrl(slow.baseUrl())))))
                    .build()).getEvaluation().getName();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> get(name).getState() == JobState.JOB_STATE_RUNNING);
            RegistryProcess.stop();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> get(name).getUsage().getCallCount() >= 10);
                // Labeled, but the F1 cannot be written: it does not end as SUCCEEDED without it.
                Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> get(name).getState() == JobState.JOB_STATE_RUNNING);
            } finally {
                RegistryProcess.restart();
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> get(name).getState() == JobState.JOB_STATE_SUCCEEDED);
            Evaluation done = get(name);
            assertTrue(done.getRegistryRecorded());
            assertEquals(10, done.getUsage().getCallCount(), "no item asked again");
            assertTrue(fixtures.registry().getPolicyVersion(GetPolicyVersionRequest.newBuilder().setName(version1)
                    .build()).getPolicyVersion().getMetrics().getEvaluationsList().stream()
                    .anyMatch(s -> s.getEvaluation().equals(name) && s.getF1() == done.getMetrics().getF1()));
        }
    }

    @Test
    void evaluationMetricsMatchAKnownConfusionMatrixAndF1IsRecordedOnTheVersion() throws Exception {
        Evaluation e = evaluate(goldDataset(), version1);
        assertEquals(version1, e.getResolvedPolicyVersion());
        assertEquals(10, e.getItemCount());
        assertEquals(10, e.getEvaluatedCount());
        BinaryClassificationMetrics m = e.getMetrics();
        assertEquals(0.5, m.getThreshold());
        assertEquals(3, m.getConfusionMatrix().getTruePositiveCount());
        assertEquals(1, m.getConfusionMatrix().getFalsePositiveCount());
        assertEquals(4, m.getConfusionMatrix().getTrueNegativeCount());
        assertEquals(2, m.getConfusionMatrix().getFalseNegativeCount());
        assertEquals(0.75, m.getPrecision(), 1e-9);
        assertEquals(0.6, m.getRecall(), 1e-9);
        assertEquals(2 * 0.75 * 0.6 / 1.35, m.getF1(), 1e-9);
        assertEquals(0.7, m.getAccuracy(), 1e-9);
        assertEquals(9, e.getThresholdMetricsCount());
        BinaryClassificationMetrics low = e.getThresholdMetrics(0);
        assertEquals(0.1, low.getThreshold(), 1e-9);
        assertEquals(5, low.getConfusionMatrix().getTruePositiveCount(), "every score >= 0.1");
        assertEquals(5, low.getConfusionMatrix().getFalsePositiveCount());
        BinaryClassificationMetrics high = e.getThresholdMetrics(7);
        assertEquals(0.8, high.getThreshold(), 1e-9);
        assertEquals(3, high.getConfusionMatrix().getTruePositiveCount());
        assertEquals("fake-llm", e.getModel());

        assertTrue(e.getRegistryRecorded());
        EvaluationScore recorded = fixtures.registry().getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName(version1).build()).getPolicyVersion().getMetrics().getEvaluationsList().stream()
                .filter(s -> s.getEvaluation().equals(e.getName())).findFirst().orElseThrow();
        assertEquals(m.getF1(), recorded.getF1(), 1e-9);
        assertEquals(10, recorded.getSampleSize());

        assertTrue(client.blocking().listEvaluations(ListEvaluationsRequest.newBuilder()
                .setPolicy("policies/" + policyId).build()).getEvaluationsList().stream()
                .anyMatch(x -> x.getName().equals(e.getName())));
    }

    @Test
    void theExportContainsTheContradictoryPairsWithCountsPerPolicy() throws Exception {
        Evaluation first = evaluate(goldDataset(), version1);
        String other = Fixtures.uniqueId("other");
        Fixtures.dataset(client, other, List.of(SHARED, "Totally fine x1"), List.of(false, false));
        Evaluation second = evaluate(other, version2);

        List<ExportTrainingSetResponse> stream = new ArrayList<>();
        client.blocking().exportTrainingSet(ExportTrainingSetRequest.newBuilder().addOrigins(first.getName())
                .addOrigins(second.getName()).build()).forEachRemaining(stream::add);
        TrainingSetSummary summary = stream.get(stream.size() - 1).getSummary();
        List<TrainingRow> rows = stream.subList(0, stream.size() - 1).stream().map(ExportTrainingSetResponse::getRow)
                .toList();
        assertEquals(12, rows.size(), "10 + 2 gold-labeled items");
        assertEquals(12, summary.getRowCount());
        assertEquals(1, summary.getContradictoryPairCount());
        List<TrainingRow> pair = rows.stream().filter(TrainingRow::getContradictory).toList();
        assertEquals(2, pair.size());
        assertTrue(pair.stream().allMatch(r -> r.getContent().equals(SHARED)));
        assertTrue(pair.get(0).getLabel() != pair.get(1).getLabel());
        assertFalse(pair.get(0).getPolicyTextSha256().equals(pair.get(1).getPolicyTextSha256()));
        assertEquals(2, summary.getPolicyCountsCount());
        var forVersion1 = summary.getPolicyCountsList().stream().filter(c -> c.getPolicyVersion().equals(version1))
                .findFirst().orElseThrow();
        assertEquals(10, forVersion1.getRowCount());
        assertEquals(5, forVersion1.getPositiveCount());
        assertEquals(1, forVersion1.getContradictoryCount());

        Response jsonl = given().queryParam("origin", first.getName(), second.getName())
                .queryParam("contradictory_only", true).get("/v1/training-set");
        assertEquals(200, jsonl.statusCode());
        assertEquals("1", jsonl.header("X-Cope-Contradictory-Pair-Count"));
        String[] lines = jsonl.asString().strip().split("\n");
        assertEquals(2, lines.length);
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertEquals(SHARED, line.get("content").asText());
        assertTrue(line.get("policy_text").asText().contains("## Definition of Labels"));
        assertTrue(line.has("policy_version"));
        assertEquals("TRAINING_ROW_SOURCE_DATASET_LABEL", line.get("source").asText());
    }

    @Test
    void anExportLargerThanOneFetchStreamsEveryRowOnceWithItsPairs() throws Exception {
        // 150 texts labeled 1 under version 1, the first 120 of them labeled 0 under version 2: 270 rows, more than
        // four fetches of labeling.export-fetch-size (64 in tests), and 120 contradictory pairs.
        List<String> texts = IntStream.range(0, 150).mapToObj(i -> "Bulk export item " + i).toList();
        String positive = Fixtures.uniqueId("bulk-pos");
        Fixtures.dataset(client, positive, texts, Collections.nCopies(150, true));
        String negative = Fixtures.uniqueId("bulk-neg");
        Fixtures.dataset(client, negative, texts.subList(0, 120), Collections.nCopies(120, false));
        Evaluation first = evaluate(positive, version1);
        Evaluation second = evaluate(negative, version2);

        List<ExportTrainingSetResponse> stream = new ArrayList<>();
        client.blocking().exportTrainingSet(ExportTrainingSetRequest.newBuilder().addOrigins(first.getName())
                .addOrigins(second.getName()).build()).forEachRemaining(stream::add);
        assertTrue(stream.get(stream.size() - 1).hasSummary());
        TrainingSetSummary summary = stream.get(stream.size() - 1).getSummary();
        List<TrainingRow> rows = stream.subList(0, stream.size() - 1).stream()
                .map(ExportTrainingSetResponse::getRow).toList();
        assertEquals(270, rows.size());
        assertEquals(270, summary.getRowCount());
        assertEquals(120, summary.getContradictoryPairCount());
        assertEquals(270, rows.stream().map(r -> r.getOrigin() + "/" + r.getContentSha256()).distinct().count(),
                "every row once");
        assertTrue(rows.subList(0, 150).stream().allMatch(r -> r.getOrigin().equals(first.getName())),
                "rows in export order: the first evaluation's, then the second's");
        assertEquals(240, rows.stream().filter(TrainingRow::getContradictory).count());
        assertTrue(rows.stream().filter(r -> !r.getContradictory())
                .allMatch(r -> texts.indexOf(r.getContent()) >= 120 && r.getLabel()));

        List<TrainingRow> onlyPairs = new ArrayList<>();
        client.blocking().exportTrainingSet(ExportTrainingSetRequest.newBuilder().addOrigins(first.getName())
                .addOrigins(second.getName()).setContradictoryOnly(true).build())
                .forEachRemaining(r -> {
                    if (r.hasRow()) {
                        onlyPairs.add(r.getRow());
                    }
                });
        assertEquals(240, onlyPairs.size());

        Response jsonl = given().queryParam("origin", first.getName(), second.getName()).get("/v1/training-set");
        assertEquals(200, jsonl.statusCode());
        assertEquals("270", jsonl.header("X-Cope-Row-Count"));
        assertEquals("120", jsonl.header("X-Cope-Contradictory-Pair-Count"));
        assertEquals(270, jsonl.asString().strip().split("\n").length);
    }

    @Test
    void invalidEvaluationsAndExportsAreRefused() throws Exception {
        String noGold = Fixtures.uniqueId("nogold");
        Fixtures.dataset(client, noGold, List.of("unlabeled"), null);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> client.blocking()
                .createEvaluation(CreateEvaluationRequest.newBuilder().setEvaluation(Evaluation.newBuilder()
                        .setPolicyVersion(version1).setDataset("datasets/" + noGold).setLabeler(LabelerConfig
                                .newBuilder().setChatCompletions(ChatCompletionsLabeler.newBuilder())))
                        .build()));
        assertEquals("DATASET_HAS_NO_GOLD_LABELS", LabelingClient.reason(e));
        StatusRuntimeException draft = assertThrows(StatusRuntimeException.class, () -> client.blocking()
                .createEvaluation(CreateEvaluationRequest.newBuilder().setEvaluation(Evaluation.newBuilder()
                        .setPolicyVersion("policies/" + policyId + "/draft").setDataset("datasets/" + noGold)
                        .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler
                                .newBuilder())))
                        .build()));
        assertEquals("INVALID_REFERENCE", LabelingClient.reason(draft));
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> get("evaluations/nope"));
        assertEquals("EVALUATION_NOT_FOUND", LabelingClient.reason(missing));
        StatusRuntimeException origin = assertThrows(StatusRuntimeException.class, () -> client.blocking()
                .exportTrainingSet(ExportTrainingSetRequest.newBuilder().addOrigins("jobs/x").build()).hasNext());
        assertEquals("INVALID_REFERENCE", LabelingClient.reason(origin));
        given().queryParam("source", "GUESS").get("/v1/training-set").then().statusCode(400);
    }
}
