package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.AuditAction;
import io.copeplatform.api.review.v1.ClaimNextTaskRequest;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.GetTaskRequest;
import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.copeplatform.api.review.v1.ReleaseTaskRequest;
import io.copeplatform.api.review.v1.RenewTaskLeaseRequest;
import io.copeplatform.api.review.v1.TaskState;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class LeaseTest {

    private static ReviewClient client;

    @BeforeAll
    static void connect() {
        client = new ReviewClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    private static ClaimNextTaskResponse claimFor(String reviewer, String job, Duration lease) {
        return client.reviewer(reviewer).claimNextTask(ClaimNextTaskRequest.newBuilder()
                .setJob("binocularJobs/" + job)
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(lease.getSeconds()))
                .build());
    }

    @Test
    void anExpiredLeaseReturnsTheTaskToTheQueueAndItsDecisionIsRefused() {
        String job = "expiry-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse first = claimFor("ann", job, Duration.ofSeconds(1));
        assertTrue(first.hasTask());
        assertFalse(ReviewClient.claim(client.reviewer("bob"), job).hasTask(), "held while the lease runs");

        // No background job: the claim query itself sees the lease as expired.
        ClaimNextTaskResponse second = Awaitility.await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ReviewClient.claim(client.reviewer("bob"), job), ClaimNextTaskResponse::hasTask);
        assertEquals(first.getTask().getName(), second.getTask().getName());
        assertEquals("bob", second.getLease().getReviewer());

        StatusRuntimeException late = assertThrows(StatusRuntimeException.class,
                () -> ReviewClient.decide(client.reviewer("ann"), first, true));
        assertEquals("LEASE_EXPIRED", reason(late));
        assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, late.getStatus().getCode());

        long expired = client.lead("lead").listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setTask(first.getTask().getName()).setAction(AuditAction.AUDIT_ACTION_LEASE_EXPIRED).build())
                .getAuditEventsCount();
        assertEquals(1, expired);
        ReviewClient.decide(client.reviewer("bob"), second, true);
    }

    @Test
    void aReleasedTaskIsClaimableAgainAndItsLeaseIsNoLongerHeld() {
        String job = "release-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse claim = ReviewClient.claim(client.reviewer("cy"), job);
        var released = client.reviewer("cy").releaseTask(ReleaseTaskRequest.newBuilder()
                .setTask(claim.getTask().getName()).setLeaseId(claim.getLease().getLeaseId()).setReason("skip")
                .build()).getTask();
        assertEquals(TaskState.TASK_STATE_OPEN, released.getState());
        assertFalse(released.hasLease());
        StatusRuntimeException notHeld = assertThrows(StatusRuntimeException.class,
                () -> ReviewClient.decide(client.reviewer("cy"), claim, false));
        assertEquals("LEASE_NOT_HELD", reason(notHeld));
        ClaimNextTaskResponse again = ReviewClient.claim(client.reviewer("dee"), job);
        assertEquals(claim.getTask().getName(), again.getTask().getName());
        // Someone else's lease is not held by the caller either.
        StatusRuntimeException stolen = assertThrows(StatusRuntimeException.class,
                () -> ReviewClient.decide(client.reviewer("eve"), again, false));
        assertEquals("LEASE_NOT_HELD", reason(stolen));
    }

    @Test
    void aRenewedLeaseOutlivesItsFirstExpiry() {
        String job = "renew-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse claim = claimFor("fay", job, Duration.ofSeconds(2));
        var renewed = client.reviewer("fay").renewTaskLease(RenewTaskLeaseRequest.newBuilder()
                .setTask(claim.getTask().getName()).setLeaseId(claim.getLease().getLeaseId())
                .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setSeconds(600)).build()).getLease();
        assertNotEquals(claim.getLease().getExpireTime(), renewed.getExpireTime());
        assertTrue(renewed.getExpireTime().getSeconds() > claim.getLease().getExpireTime().getSeconds() + 500);
        // Past the original expiry the task is still held by fay.
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> System.currentTimeMillis() / 1000 > claim.getLease().getExpireTime().getSeconds() + 1);
        assertFalse(ReviewClient.claim(client.reviewer("gus"), job).hasTask());
        var task = client.reviewer("fay").getTask(GetTaskRequest.newBuilder().setName(claim.getTask().getName())
                .build()).getTask();
        assertEquals(claim.getLease().getLeaseId(), task.getLease().getLeaseId());
        ReviewClient.decide(client.reviewer("fay"), claim, true);
    }

    @Test
    void aTooShortLeaseIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.reviewer("hal").claimNextTask(ClaimNextTaskRequest.newBuilder()
                        .setLeaseDuration(com.google.protobuf.Duration.newBuilder().setNanos(1000)).build()));
        assertEquals("INVALID_LEASE_DURATION", reason(e));
    }
}
