package io.copeplatform.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.GetQueueSummaryRequest;
import io.copeplatform.api.review.v1.Task;
import io.copeplatform.api.review.v1.TaskState;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ClaimConcurrencyTest {

    private static final int REVIEWERS = 16;
    private static ReviewClient client;

    @BeforeAll
    static void connect() {
        client = new ReviewClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void sixteenReviewersClaimingAtOnceNeverShareATaskSlot() throws Exception {
        String job = "race1-" + UUID.randomUUID();
        client.createTasks(job, 20, 1);
        // Each reviewer claims until nothing is left.
        Map<String, List<ClaimNextTaskResponse>> claims = concurrently(reviewer -> {
            List<ClaimNextTaskResponse> mine = new ArrayList<>();
            while (true) {
                ClaimNextTaskResponse claim = ReviewClient.claim(client.reviewer(reviewer), job);
                if (!claim.hasTask()) {
                    return mine;
                }
                mine.add(claim);
            }
        });
        Map<String, String> holderByTask = new HashMap<>();
        for (var entry : claims.entrySet()) {
            for (ClaimNextTaskResponse claim : entry.getValue()) {
                String previous = holderByTask.put(claim.getTask().getName(), entry.getKey());
                assertEquals(null, previous, claim.getTask().getName() + " claimed twice");
                assertEquals(entry.getKey(), claim.getLease().getReviewer());
                assertEquals(TaskState.TASK_STATE_CLAIMED, claim.getTask().getState());
            }
        }
        assertEquals(20, holderByTask.size(), "every task claimed exactly once");
        var summary = client.reviewer("someone").getQueueSummary(
                GetQueueSummaryRequest.newBuilder().setJob("binocularJobs/" + job).build()).getJobs(0);
        assertEquals(0, summary.getOpenCount());
        assertEquals(20, summary.getClaimedCount());
    }

    @Test
    void aTaskNeedingTwoDecisionsIsLeasedToExactlyTwoDifferentReviewers() throws Exception {
        String job = "race2-" + UUID.randomUUID();
        client.createTasks(job, 6, 2);
        Map<String, List<ClaimNextTaskResponse>> claims = concurrently(reviewer -> {
            List<ClaimNextTaskResponse> mine = new ArrayList<>();
            while (true) {
                ClaimNextTaskResponse claim = ReviewClient.claim(client.reviewer(reviewer), job);
                if (!claim.hasTask()) {
                    return mine;
                }
                mine.add(claim);
            }
        });
        Map<String, Set<String>> reviewersByTask = new HashMap<>();
        int total = 0;
        for (var entry : claims.entrySet()) {
            for (ClaimNextTaskResponse claim : entry.getValue()) {
                total++;
                assertTrue(reviewersByTask.computeIfAbsent(claim.getTask().getName(), k -> new HashSet<>())
                        .add(entry.getKey()), entry.getKey() + " got " + claim.getTask().getName() + " twice");
            }
        }
        assertEquals(12, total, "6 tasks x 2 slots");
        assertEquals(6, reviewersByTask.size());
        reviewersByTask.values().forEach(r -> assertEquals(2, r.size()));
        // Nothing is left for anyone, the holders included.
        for (int i = 0; i < REVIEWERS; i++) {
            assertFalse(ReviewClient.claim(client.reviewer("r" + i), job).hasTask());
        }
        for (Task task : client.awaitTasks(job, 6)) {
            assertEquals(TaskState.TASK_STATE_CLAIMED, task.getState());
        }
    }

    /** Runs {@code work} for reviewers r0..r15 at the same moment; returns each reviewer's result. */
    private static <T> Map<String, T> concurrently(Work<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(REVIEWERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Map<String, Future<T>> futures = new HashMap<>();
            for (int i = 0; i < REVIEWERS; i++) {
                String reviewer = "r" + i;
                Callable<T> task = () -> {
                    start.await();
                    return work.run(reviewer);
                };
                futures.put(reviewer, pool.submit(task));
            }
            start.countDown();
            Map<String, T> results = new HashMap<>();
            for (var f : futures.entrySet()) {
                results.put(f.getKey(), f.getValue().get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(String reviewer) throws Exception;
    }
}
