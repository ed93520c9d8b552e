package io.copeplatform.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.api.review.v1.AuditAction;
import io.copeplatform.api.review.v1.BinocularIterationSummary;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.GetTaskRequest;
import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.copeplatform.api.review.v1.Task;
import io.copeplatform.api.review.v1.TaskState;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TaskIntakeTest {

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
    void aTaskEventBecomesAnOpenTaskWithBothWordingsAndTheirLabels() {
        String job = "intake-" + UUID.randomUUID();
        ReviewTaskCreated event = ReviewClient.event(job, 2, "x1", 3).toBuilder()
                .setIterationSummary(BinocularIterationSummary.newBuilder().setIteration(2).setLabeledCount(100)
                        .setMismatchCount(7).setPercentAgreement(0.93))
                .build();
        client.publish(event);
        Task task = client.awaitTasks(job, 1).get(0);
        assertEquals("binocularJobs/" + job, task.getJob());
        assertEquals(2, task.getIteration());
        assertEquals("datasets/d1/items/x1", task.getItem());
        assertEquals(3, task.getRequiredDecisions());
        assertEquals(TaskState.TASK_STATE_OPEN, task.getState());
        assertEquals(ReviewClient.TEXT_A, task.getPolicyA().getText());
        assertEquals("policies/insults/versions/1", task.getPolicyA().getPolicyVersion());
        assertTrue(task.getPolicyA().getLabel());
        assertEquals(0.9, task.getPolicyA().getScore());
        assertFalse(task.getPolicyB().getLabel());
        assertFalse(task.getPolicyB().hasScore());
        assertEquals("test-labeler", task.getLabeler());
    }

    @Test
    void aRedeliveredEventAndARepeatedItemMapToOneTask() {
        String job = "dup-" + UUID.randomUUID();
        ReviewTaskCreated event = ReviewClient.event(job, 1, "same", 1);
        client.publish(event);
        client.publish(event);
        // Another event id for the same (job, iteration, item) is the same task too.
        client.publish(ReviewClient.event(job, 1, "same", 1));
        // A marker published last: once it exists, every earlier record of the partition was processed.
        client.publish(ReviewClient.event(job, 1, "marker", 1));
        List<Task> tasks = client.awaitTasks(job, 2);
        assertEquals(2, tasks.size());
        long created = client.lead("lead").listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setJob("binocularJobs/" + job).setAction(AuditAction.AUDIT_ACTION_TASK_CREATED).build())
                .getAuditEventsCount();
        assertEquals(2, created);
    }

    @Test
    void aWithdrawalCancelsTheJobsOpenTasksOnceAndDecisionsOnThemAreRefused() {
        String job = "withdraw-" + UUID.randomUUID();
        String other = "keep-" + UUID.randomUUID();
        client.createTasks(job, 3, 1);
        client.createTasks(other, 1, 1);
        // Task states before the withdrawal: one DONE, one claimed (live lease), one OPEN.
        ClaimNextTaskResponse done = ReviewClient.claim(client.reviewer("ann"), job);
        ReviewClient.decide(client.reviewer("ann"), done, true);
        ClaimNextTaskResponse held = ReviewClient.claim(client.reviewer("bob"), job);

        ReviewTasksWithdrawn withdrawal = ReviewClient.withdrawal(job);
        client.publish(withdrawal);
        client.publish(withdrawal);
        // A second withdrawal (another event id), then a marker task of another job: once the marker exists, every
        // earlier record of the partition was processed.
        client.publish(ReviewClient.withdrawal(job));
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.awaitTasks(job, 3).stream()
                        .filter(t -> t.getState() == TaskState.TASK_STATE_CANCELLED).count() == 2);
        client.publish(ReviewClient.event(job, 1, "marker", 1));
        client.awaitTasks(job, 4);

        for (Task task : client.awaitTasks(job, 4)) {
            TaskState expected = task.getName().equals(done.getTask().getName())
                    ? TaskState.TASK_STATE_DONE
                    : task.getItem().endsWith("/marker") ? TaskState.TASK_STATE_OPEN : TaskState.TASK_STATE_CANCELLED;
            assertEquals(expected, task.getState(), task.getName());
        }
        assertEquals(TaskState.TASK_STATE_OPEN, client.awaitTasks(other, 1).get(0).getState(), "other jobs untouched");
        long cancelled = client.lead("lead").listAuditEvents(ListAuditEventsRequest.newBuilder()
                .setJob("binocularJobs/" + job).setAction(AuditAction.AUDIT_ACTION_TASK_CANCELLED).build())
                .getAuditEventsCount();
        assertEquals(2, cancelled, "each task cancelled once despite the redelivery and the repeat");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> ReviewClient.decide(client.reviewer("bob"), held, false));
        assertEquals("TASK_CLOSED", ReviewClient.reason(refused));
        assertFalse(ReviewClient.claim(client.reviewer("cy"), job).getTask().getName()
                .equals(held.getTask().getName()), "a cancelled task is not claimable");
    }

    @Test
    void anInvalidWithdrawalGoesToTheDeadLetterTopic() {
        String job = "bad-withdraw-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        client.publish(ReviewClient.withdrawal(job).toBuilder().clearEventId().build());
        var letters = ReviewClient.read("review.tasks.v1.dlq", r -> job.equals(r.key()), 1);
        assertEquals(1, letters.size());
        assertEquals(TaskState.TASK_STATE_OPEN, client.awaitTasks(job, 1).get(0).getState());
    }

    @Test
    void anUndecodableRecordGoesToTheDeadLetterTopicAndTheQueueMovesOn() {
        String job = "dlq-" + UUID.randomUUID();
        byte[] garbage = ("not protobuf " + job).getBytes(StandardCharsets.UTF_8);
        client.publish(job, new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01});
        client.publish(job, garbage);
        // Decodes, but is invalid: no event id.
        client.publish(job, ReviewClient.event(job, 1, "no-id", 1).toBuilder().clearEventId().build().toByteArray());
        client.publish(ReviewClient.event(job, 1, "good", 1));
        Task good = client.awaitTasks(job, 1).get(0);
        assertEquals("datasets/d1/items/good", good.getItem());
        var letters = ReviewClient.read("review.tasks.v1.dlq", r -> job.equals(r.key()), 3);
        assertEquals(3, letters.size());
        assertTrue(letters.stream().allMatch(r -> r.headers().lastHeader("x-cope-dlq-reason") != null));
        assertEquals(1, client.awaitTasks(job, 1).size());
        assertEquals(good, client.lead("lead").getTask(GetTaskRequest.newBuilder().setName(good.getName()).build())
                .getTask());
    }
}
