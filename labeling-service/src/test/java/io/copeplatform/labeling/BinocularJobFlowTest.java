package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.labeling.v1.BinocularIteration;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularLabel;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.ItemReviewState;
import io.copeplatform.api.labeling.v1.IterationPhase;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.labeling.v1.ParaphraseOptions;
import io.copeplatform.api.labeling.v1.WatchBinocularJobRequest;
import io.copeplatform.api.labeling.v1.WatchBinocularJobResponse;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.review.v1.ClauseSpan;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.PolicySide;
import io.copeplatform.api.review.v1.TaskState;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BinocularJobFlowTest {

    private static LabelingClient client;
    private static Fixtures fixtures;

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

    static List<String> flowTexts() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            texts.add("Cheap watches, DM me to buy #spam " + i);
        }
        for (int i = 0; i < 6; i++) {
            texts.add("Check out my shop if you like #borderline " + i);
        }
        for (int i = 0; i < 10; i++) {
            texts.add("What a lovely day at the beach " + i);
        }
        return texts;
    }

    @Test
    void aJobGoesFromImportThroughReviewAndRefinementToAgreement() throws Exception {
        String policyId = Fixtures.uniqueId("spam");
        String versionA = fixtures.publishedPolicy(policyId, Fixtures.POLICY_TEXT);
        String dataset = Fixtures.uniqueId("flow");
        Fixtures.dataset(client, dataset, flowTexts(), null);
        String jobId = Fixtures.uniqueId("job");

        BinocularJob created = client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                .setBinocularJobId(jobId)
                .setBinocularJob(BinocularJob.newBuilder()
                        .setPolicyVersionA(versionA)
                        .setGenerateParaphrase(ParaphraseOptions.newBuilder().setTargetPolicyId(policyId + "-para"))
                        .setDataset("datasets/" + dataset)
                        .setLabeler(LabelerConfig.newBuilder()
                                .setChatCompletions(ChatCompletionsLabeler.newBuilder().setRequestLogprobs(true))
                                .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(4)))
                        .setTargetAgreement(0.95)
                        .setMaxIterations(2)
                        .setContinueAfterRefine(true))
                .build()).getBinocularJob();
        assertEquals("binocularJobs/" + jobId, created.getName());

        List<JobState> watched = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> watch = CompletableFuture.runAsync(() -> {
            Iterator<WatchBinocularJobResponse> stream = client.blocking()
                    .watchBinocularJob(WatchBinocularJobRequest.newBuilder().setName(created.getName()).build());
            stream.forEachRemaining(r -> watched.add(r.getProgress().getState()));
        });

        // Iteration 1: A (strict clause) labels the 6 borderline items 1, the paraphrase B labels them 0.
        List<ReviewTaskCreated> tasks = Fixtures.awaitReviewTasks(created.getName(), 6, Duration.ofSeconds(60));
        assertEquals(6, tasks.size());
        ReviewTaskCreated task = tasks.get(0);
        assertEquals(1, task.getIteration());
        assertTrue(task.getContent().contains("#borderline"));
        assertTrue(task.getPolicyA().getLabel());
        assertFalse(task.getPolicyB().getLabel());
        assertEquals(0.9, task.getPolicyA().getScore(), 1e-9);
        assertEquals(versionA, task.getPolicyA().getPolicyVersion());
        assertEquals("policies/" + policyId + "-para/versions/1", task.getPolicyB().getPolicyVersion());
        assertTrue(task.getPolicyB().getText().contains(FakeLlm.LENIENT_CLAUSE));
        assertEquals("chat-completions:fake-llm", task.getLabeler());
        assertEquals(1, task.getRequiredDecisions());
        // 20 items: both 1 = 4, A only = 6, both 0 = 10. po = 0.7, pe = 0.5*0.2 + 0.5*0.8 = 0.5, kappa = 0.4.
        assertEquals(0.7, task.getIterationSummary().getPercentAgreement(), 1e-9);
        assertEquals(0.4, task.getIterationSummary().getCohensKappa(), 1e-9);

        BinocularJob waiting = get(jobId);
        assertEquals(JobState.JOB_STATE_WAITING_FOR_REVIEW, waiting.getState());
        BinocularIteration first = waiting.getIterations(0);
        assertEquals(IterationPhase.ITERATION_PHASE_REVIEWING, first.getPhase());
        assertEquals(20, first.getLabeledCount());
        assertEquals(6, first.getMismatchCount());
        // SE = sqrt(0.7 * 0.3 / (20 * 0.25)) = 0.204939; 0.4 -+ 1.959964 * SE
        assertEquals(-0.001673, first.getCohensKappaCi().getLower(), 1e-5);
        assertEquals(0.801673, first.getCohensKappaCi().getUpper(), 1e-5);
        assertEquals(40, waiting.getProgress().getUsage().getCallCount() - 1, "40 labels + 1 paraphrase call");

        // The determinism score of version A (and of its paraphrase) is on the version in the registry.
        PolicyVersion a = fixtures.registry().getPolicyVersion(GetPolicyVersionRequest.newBuilder().setName(versionA)
                .build()).getPolicyVersion();
        assertEquals(0.7, a.getMetrics().getDeterminism().getPercentAgreement(), 1e-9);
        assertEquals("policies/" + policyId + "-para/versions/1", a.getMetrics().getDeterminism()
                .getParaphraseVersion());

        // Reviewers: A was right; the strict clause is the ambiguous one. One event is delivered twice.
        int clauseStart = task.getPolicyA().getText().indexOf(FakeLlm.STRICT_CLAUSE);
        for (int i = 0; i < tasks.size(); i++) {
            ReviewTaskCreated t = tasks.get(i);
            ReviewDecisionMade decision = ReviewDecisionMade.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setTask("tasks/t" + i).setDecision("tasks/t" + i + "/decisions/d1")
                    .setJob(t.getJob()).setIteration(t.getIteration()).setItem(t.getItem())
                    .setReviewer("alice").setLabel(true).setCorrectVersion(CorrectVersion.CORRECT_VERSION_A)
                    .setAmbiguousClause(ClauseSpan.newBuilder().setSide(PolicySide.POLICY_SIDE_A)
                            .setStartOffset(clauseStart).setEndOffset(clauseStart + FakeLlm.STRICT_CLAUSE.length())
                            .setQuotedText(FakeLlm.STRICT_CLAUSE))
                    .setNote("a shop link is a solicitation").setRequiredDecisions(1).setDecisionCount(1)
                    .setTaskState(TaskState.TASK_STATE_DONE).setGoldLabel(true)
                    .build();
            fixtures.publish("review.decisions.v1", jobId, decision.toByteArray());
            if (i == 0) {
                fixtures.publish("review.decisions.v1", jobId, decision.toByteArray());
            }
        }

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(jobId).getState() == JobState.JOB_STATE_SUCCEEDED);
        BinocularJob done = get(jobId);
        assertTrue(done.getTargetReached());
        assertEquals(2, done.getIterationsCount());
        BinocularIteration reviewed = done.getIterations(0);
        assertEquals(6, reviewed.getReviewedCount());
        assertEquals(IterationPhase.ITERATION_PHASE_COMPLETED, reviewed.getPhase());
        assertFalse(reviewed.getRefinedDraft().getDraftEtag().isEmpty());
        BinocularIteration second = done.getIterations(1);
        assertEquals(1.0, second.getPercentAgreement(), 1e-9);
        assertEquals("", second.getPolicyA().getPolicyVersion(), "iteration 2 labels the refined draft");
        assertEquals(reviewed.getRefinedDraft().getTextSha256(), second.getPolicyA().getTextSha256());

        // The refinement is a DRAFT in the registry, never published.
        Policy policy = fixtures.registry().getPolicy(GetPolicyRequest.newBuilder().setName("policies/" + policyId)
                .build()).getPolicy();
        assertTrue(policy.getDraft().getText().contains(FakeLlm.REFINED_CLAUSE));
        assertFalse(policy.getDraft().getText().contains("```"));
        assertEquals(versionA, policy.getLatestVersion());
        List<PolicyVersion> paraphrases = fixtures.registry().listPolicyVersions(ListPolicyVersionsRequest
                .newBuilder().setParent("policies/" + policyId + "-para").build()).getPolicyVersionsList();
        assertEquals(2, paraphrases.size());
        assertTrue(paraphrases.stream().allMatch(v -> v.getParaphraseOf().equals(versionA)));

        // Gold labels and clause notes, each decision once despite the redelivery.
        List<BinocularLabel> mismatches = client.blocking().listBinocularLabels(ListBinocularLabelsRequest
                .newBuilder().setParent("binocularJobs/" + jobId + "/iterations/1").setMismatchesOnly(true).build())
                .getBinocularLabelsList();
        assertEquals(6, mismatches.size());
        for (BinocularLabel label : mismatches) {
            assertTrue(label.getGoldLabel());
            assertEquals(ItemReviewState.ITEM_REVIEW_STATE_DONE, label.getReviewState());
            assertEquals(1, label.getFindingsCount());
            assertEquals(FakeLlm.STRICT_CLAUSE, label.getFindings(0).getAmbiguousClause().getQuotedText());
            assertEquals("a shop link is a solicitation", label.getFindings(0).getNote());
        }
        assertEquals(40, client.blocking().listBinocularLabels(ListBinocularLabelsRequest.newBuilder()
                .setParent("binocularJobs/" + jobId + "/iterations/-").build()).getBinocularLabelsCount());

        watch.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(watched.contains(JobState.JOB_STATE_WAITING_FOR_REVIEW), watched.toString());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, watched.get(watched.size() - 1));
    }

    private static BinocularJob get(String jobId) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder()
                .setName("binocularJobs/" + jobId).build()).getBinocularJob();
    }
}
