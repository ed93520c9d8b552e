package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularLabel;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.TaskState;
import io.copeplatform.testkit.EmbeddedPostgresServer;
import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.ServiceProcess;
import io.copeplatform.testkit.SharedInfrastructure;

/**
 * The packaged service, stopped and started again as a process: once in the middle of labeling (it resumes without
 * labeling anything twice) and once while it waits for review, with the decisions published while it is down (none is
 * lost).
 */
class JobRestartIT {

    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    @Test
    void aJobSurvivesTwoServiceRestartsWithoutDuplicatesOrLostDecisions() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "package the service first");
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        postgres.createDatabaseIfMissing("labeling_restart");
        Map<String, String> env = Map.of(
                "LABELING_DB_JDBC_URL", postgres.jdbcUrl("labeling_restart"),
                "KAFKA_BOOTSTRAP_SERVERS", SharedInfrastructure.kafka().bootstrapServers(),
                "REGISTRY_HOST", "localhost",
                "REGISTRY_PORT", String.valueOf(RegistryProcess.get().port()),
                "INFERENCE_PORT", "1",
                "LABELING_LLM_API_KEY", "test-key",
                "LABELING_LLM_MODEL", "fake-llm",
                "LABELING_LOG_JSON", "false",
                "LABELING_JOBS_SCHEDULER_INTERVAL", "200ms",
                "LABELING_OUTBOX_POLL_INTERVAL", "100ms");
        try (FakeLlm llm = FakeLlm.start(); Fixtures fixtures = new Fixtures()) {
            llm.latency = Duration.ofMillis(100);
            Map<String, String> withLlm = new java.util.HashMap<>(env);
            withLlm.put("LABELING_LLM_BASE_URL", llm.baseUrl());
            // The restarted process is the same instance (as a restarted pod keeps its name): it reclaims its leases.
            withLlm.put("LABELING_JOBS_INSTANCE_ID", "job-restart-it");
            ServiceProcess service = ServiceProcess.start("labeling-service", JAR, 0, withLlm, Path.of("target"));
            int port = service.port();
            String policy = Fixtures.uniqueId("restart");
            String versionA = fixtures.publishedPolicy(policy, Fixtures.POLICY_TEXT);
            String versionB = fixtures.publishedPolicy(policy + "-b", Fixtures.LENIENT_POLICY_TEXT);
            String dataset = Fixtures.uniqueId("restart");
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                texts.add(i % 10 == 0 ? "Visit my shop #borderline " + i : "Just a post " + i);
            }
            String job;
            try (LabelingClient client = new LabelingClient(port)) {
                Fixtures.dataset(client, dataset, texts, null);
                job = client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                        .setBinocularJob(BinocularJob.newBuilder().setPolicyVersionA(versionA)
                                .setPolicyVersionB(versionB).setDataset("datasets/" + dataset)
                                .setLabeler(LabelerConfig.newBuilder()
                                        .setChatCompletions(ChatCompletionsLabeler.newBuilder())
                                        .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(2)))
                                .setTargetAgreement(0.99))
                        .build()).getBinocularJob().getName();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> llm.labelRequests() >= 30);
            }

            // Restart 1: in the middle of labeling.
            service.close();
            long askedBeforeRestart = llm.labelRequests();
            assertTrue(askedBeforeRestart < 80, "stopped mid-way: " + askedBeforeRestart);
            service = ServiceProcess.start("labeling-service", JAR, port, withLlm, Path.of("target"));
            List<ReviewTaskCreated> tasks = Fixtures.awaitReviewTasks(job, 4, Duration.ofSeconds(90));
            assertEquals(4, tasks.size());
            try (LabelingClient client = new LabelingClient(port)) {
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> get(client, job).getState() == JobState.JOB_STATE_WAITING_FOR_REVIEW);
                List<BinocularLabel> labels = client.blocking().listBinocularLabels(ListBinocularLabelsRequest
                        .newBuilder().setParent(job + "/iterations/1").setPageSize(1000).build())
                        .getBinocularLabelsList();
                assertEquals(40, labels.size());
                assertEquals(40, new HashSet<>(labels.stream().map(BinocularLabel::getItem).toList()).size());
                assertTrue(labels.stream().allMatch(BinocularLabel::hasLabelB));
                // Only the answers in flight at the stop (concurrency 2) may have been asked twice.
                assertTrue(llm.labelRequests() <= 82, "label requests: " + llm.labelRequests());
            }

            // Restart 2: the decisions arrive while the service is down.
            service.close();
            for (ReviewTaskCreated t : tasks) {
                fixtures.publish("review.decisions.v1", job.substring("binocularJobs/".length()),
                        ReviewDecisionMade.newBuilder().setEventId(UUID.randomUUID().toString())
                                .setTask("tasks/" + t.getItem().hashCode()).setDecision("tasks/x/decisions/1")
                                .setJob(t.getJob()).setIteration(1).setItem(t.getItem()).setReviewer("bob")
                                .setLabel(true).setCorrectVersion(CorrectVersion.CORRECT_VERSION_A)
                                .setNote("shop links solicit").setRequiredDecisions(1).setDecisionCount(1)
                                .setTaskState(TaskState.TASK_STATE_DONE).setGoldLabel(true).build().toByteArray());
            }
            service = ServiceProcess.start("labeling-service", JAR, port, withLlm, Path.of("target"));
            try (LabelingClient client = new LabelingClient(port)) {
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> get(client, job).getState() == JobState.JOB_STATE_SUCCEEDED);
                BinocularJob done = get(client, job);
                assertEquals(4, done.getIterations(0).getReviewedCount());
                assertFalse(done.getTargetReached(), "one iteration, refined but not re-labeled");
                assertFalse(done.getIterations(0).getRefinedDraft().getDraftEtag().isEmpty());
            } finally {
                service.close();
            }
        }
    }

    private static BinocularJob get(LabelingClient client, String job) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder().setName(job).build())
                .getBinocularJob();
    }
}
