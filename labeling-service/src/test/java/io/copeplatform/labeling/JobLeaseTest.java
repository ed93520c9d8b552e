package io.copeplatform.labeling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularLabel;
import io.copeplatform.api.labeling.v1.CancelBinocularJobRequest;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.CreateEvaluationRequest;
import io.copeplatform.api.labeling.v1.Evaluation;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetEvaluationRequest;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.labeling.v1.LlmEndpoint;
import io.copeplatform.labeling.repository.JobRepository;
import io.copeplatform.labeling.repository.LeaseFence;
import io.copeplatform.labeling.repository.LeaseFence.LeaseLostException;
import io.copeplatform.labeling.repository.Transactions;
import io.copeplatform.labeling.service.JobRunner;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Job leases (labeling.jobs.lease-duration 5s, renewed every 300ms in tests): a job (or evaluation) another replica
 * holds is left alone until its lease expires, then taken over without relabeling; a running job's lease is renewed,
 * and a runner that lost its lease stops working on the job.
 */
@QuarkusTest
class JobLeaseTest {

    @Inject
    JobRunner runner;

    @Inject
    AgroalDataSource db;

    @Inject
    JobRepository jobs;

    @Inject
    Transactions tx;

    private static LabelingClient client;
    private static Fixtures fixtures;
    private static String versionA;
    private static String versionB;

    @BeforeAll
    static void setUp() {
        client = new LabelingClient();
        fixtures = new Fixtures();
        String id = Fixtures.uniqueId("lease");
        versionA = fixtures.publishedPolicy(id, Fixtures.POLICY_TEXT);
        versionB = fixtures.publishedPolicy(id + "-b", Fixtures.LENIENT_POLICY_TEXT);
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        client.close();
        fixtures.close();
    }

    private static String create(int items, String llmBaseUrl) throws Exception {
        String dataset = Fixtures.uniqueId("lease");
        Fixtures.dataset(client, dataset, BinocularJobControlTest.plain(items), null);
        ChatCompletionsLabeler.Builder chat = ChatCompletionsLabeler.newBuilder();
        if (llmBaseUrl != null) {
            chat.setEndpoint(LlmEndpoint.newBuilder().setBaseUrl(llmBaseUrl));
        }
        return client.blocking().createBinocularJob(CreateBinocularJobRequest.newBuilder()
                .setBinocularJob(BinocularJob.newBuilder().setPolicyVersionA(versionA).setPolicyVersionB(versionB)
                        .setDataset("datasets/" + dataset)
                        .setLabeler(LabelerConfig.newBuilder().setChatCompletions(chat)
                                .setLimits(LabelerLimits.newBuilder().setMaxConcurrency(1)))
                        .setTargetAgreement(0.95))
                .build()).getBinocularJob().getName().substring("binocularJobs/".length());
    }

    @Test
    void aJobLeasedByAnotherLiveReplicaIsLeftAloneAndTakenOverOnceTheLeaseExpires() throws Exception {
        String job;
        runner.stop();
        try {
            job = create(10, null);
            // Another replica claimed it and is alive (its lease runs for an hour).
            update(job, "other-replica", "now() + interval '1 hour'");
        } finally {
            runner.start();
        }
        // Many scheduler rounds (every 200ms in tests) pass: the job is not touched here.
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getState() == JobState.JOB_STATE_PENDING
                        && "other-replica".equals(owner(job)));
        assertEquals(0, labels(job).size());

        // The other replica died: its lease expires, this instance takes the job over and finishes it.
        update(job, "other-replica", "now() - interval '1 second'");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(job).getState() == JobState.JOB_STATE_SUCCEEDED);
        List<BinocularLabel> labels = labels(job);
        assertEquals(10, labels.size());
        assertEquals(10, new HashSet<>(labels.stream().map(BinocularLabel::getItem).toList()).size());
        assertTrue(labels.stream().allMatch(l -> l.hasLabelA() && l.hasLabelB()));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> owner(job) == null);
        assertNull(leaseUntil(job), "an ended job's lease is released");
    }

    @Test
    void anEvaluationLeasedByAnotherLiveReplicaRunsHereOnlyOnceTheLeaseExpires() throws Exception {
        String dataset = Fixtures.uniqueId("lease-gold");
        Fixtures.dataset(client, dataset, BinocularJobControlTest.plain(6), Collections.nCopies(6, false));
        String evaluation;
        runner.stop();
        try {
            evaluation = client.blocking().createEvaluation(CreateEvaluationRequest.newBuilder()
                    .setEvaluation(Evaluation.newBuilder().setPolicyVersion(versionA).setDataset("datasets/" + dataset)
                            .setLabeler(LabelerConfig.newBuilder().setChatCompletions(ChatCompletionsLabeler
                                    .newBuilder())))
                    .build()).getEvaluation().getName();
            update("evaluations", evaluation.substring("evaluations/".length()), "other-replica",
                    "now() + interval '1 hour'");
        } finally {
            runner.start();
        }
        String id = evaluation.substring("evaluations/".length());
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> evaluation(evaluation).getState() == JobState.JOB_STATE_PENDING
                        && "other-replica".equals(column("evaluations", id, "lease_owner")));

        update("evaluations", id, "other-replica", "now() - interval '1 second'");
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> evaluation(evaluation).getState() == JobState.JOB_STATE_SUCCEEDED);
        assertEquals(6, evaluation(evaluation).getEvaluatedCount());
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> column("evaluations", id, "lease_owner") == null);
    }

    @Test
    void aGracefulShutdownReleasesTheLeasesOfTheJobsItWasRunning() throws Exception {
        try (FakeLlm slow = FakeLlm.start()) {
            slow.latency = Duration.ofMillis(100);
            String job = create(20, slow.baseUrl());
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> runner.instanceId().equals(owner(job)) && slow.labelRequests() >= 2);
            runner.shutdown();
            try {
                assertNull(owner(job), "another replica may take the job over at once");
                assertEquals(JobState.JOB_STATE_RUNNING, get(job).getState());
            } finally {
                runner.start();
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> get(job).getState() == JobState.JOB_STATE_SUCCEEDED);
            assertEquals(20, labels(job).size());
        }
    }

    @Test
    void aRunningJobsLeaseIsRenewedAndARunnerThatLostItStopsWorkingOnIt() throws Exception {
        try (FakeLlm slow = FakeLlm.start()) {
            slow.latency = Duration.ofMillis(150);
            String job = create(40, slow.baseUrl());
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> runner.instanceId().equals(owner(job)) && slow.labelRequests() >= 2);
            Timestamp first = leaseUntil(job);
            // The heartbeat (every 300ms) moves the lease forward while the job runs.
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> leaseUntil(job).after(first));

            // Another replica took the job over (as if this one had hung past its lease): this runner stops on it.
            update(job, "other-replica", "now() + interval '1 hour'");
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !runner.isActive(job));
            long atLoss = slow.labelRequests();
            // No new request for a whole second (the request in flight at the loss may still arrive).
            AtomicLong seen = new AtomicLong(-1);
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> seen.getAndSet(slow.labelRequests()) == slow.labelRequests());
            assertTrue(slow.labelRequests() <= atLoss + 1, "requests: " + slow.labelRequests() + " vs " + atLoss);
            assertTrue(labels(job).size() < 40, "stopped before the end");
            assertEquals("other-replica", owner(job));
            client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder()
                    .setName("binocularJobs/" + job).build());
        }
    }

    @Test
    void onlyTheLiveLeaseHolderWritesAndNobodyTakesOverWhileItWrites() throws Exception {
        runner.stop(); // this test plays both replicas itself
        try {
            String job = create(2, null);
            update(job, "replica-x", "now() + interval '1 hour'");
            LeaseFence x = jobs.leases().fence(tx, job, "replica-x");
            LeaseFence y = jobs.leases().fence(tx, job, "replica-y");
            Duration lease = Duration.ofMinutes(1);

            assertEquals("written", x.inTransaction(c -> "written"));
            AtomicBoolean ran = new AtomicBoolean();
            assertThrows(LeaseLostException.class, () -> y.inTransaction(c -> ran.getAndSet(true)));
            assertFalse(ran.get(), "a replica without the lease does not even start its write");

            // x's lease runs out in the middle of x's write: until that transaction ends, y cannot take the job.
            update(job, "replica-x", "clock_timestamp() + interval '1 second'");
            x.inTransaction(c -> {
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> leaseExpired(job));
                assertEquals(List.of(), tx.inTransaction(other -> jobs.leases().claim(other, List.of(job),
                        "replica-y", lease)), "the job's row stays locked by x's write");
                return null;
            });
            assertEquals(List.of(job), tx.inTransaction(c -> jobs.leases().claim(c, List.of(job), "replica-y",
                    lease)));
            // x stalled past its lease and has not noticed: whatever it tries to write now is refused.
            assertThrows(LeaseLostException.class, () -> x.inTransaction(c -> ran.getAndSet(true)));
            assertFalse(ran.get());
            assertEquals("written", y.inTransaction(c -> "written"));

            client.blocking().cancelBinocularJob(CancelBinocularJobRequest.newBuilder()
                    .setName("binocularJobs/" + job).build());
        } finally {
            runner.start();
        }
    }

    private boolean leaseExpired(String job) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT lease_until < clock_timestamp() FROM labeling.jobs WHERE id = ?")) {
            s.setString(1, job);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    private void update(String job, String owner, String until) throws SQLException {
        update("jobs", job, owner, until);
    }

    private void update(String table, String id, String owner, String until) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE labeling." + table + " SET lease_owner = ?, lease_until = " + until
                                + " WHERE id = ?")) {
            s.setString(1, owner);
            s.setString(2, id);
            assertEquals(1, s.executeUpdate());
        }
    }

    private String owner(String job) throws SQLException {
        return (String) column(job, "lease_owner");
    }

    private Timestamp leaseUntil(String job) throws SQLException {
        return (Timestamp) column(job, "lease_until");
    }

    private Object column(String job, String column) throws SQLException {
        return column("jobs", job, column);
    }

    private Object column(String table, String job, String column) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT " + column + " FROM labeling." + table + " WHERE id = ?")) {
            s.setString(1, job);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getObject(1) instanceof java.time.OffsetDateTime t
                        ? Timestamp.from(t.toInstant())
                        : r.getObject(1);
            }
        }
    }

    private static Evaluation evaluation(String name) {
        return client.blocking().getEvaluation(GetEvaluationRequest.newBuilder().setName(name).build())
                .getEvaluation();
    }

    private static BinocularJob get(String job) {
        return client.blocking().getBinocularJob(GetBinocularJobRequest.newBuilder()
                .setName("binocularJobs/" + job).build()).getBinocularJob();
    }

    private static List<BinocularLabel> labels(String job) {
        return client.blocking().listBinocularLabels(ListBinocularLabelsRequest.newBuilder()
                .setParent("binocularJobs/" + job + "/iterations/-").setPageSize(1000).build())
                .getBinocularLabelsList();
    }
}
