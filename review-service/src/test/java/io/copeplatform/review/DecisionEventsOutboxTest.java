package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.claim;
import static io.copeplatform.review.ReviewClient.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.ReviewerRole;
import io.copeplatform.api.review.v1.TaskState;
import io.copeplatform.testkit.KafkaBroker;
import io.copeplatform.testkit.SharedInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class DecisionEventsOutboxTest {

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
    void aDecisionSubmittedWhileKafkaIsDownArrivesExactlyOnceWhenKafkaIsBack() {
        String job = "outage-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ClaimNextTaskResponse claim = claim(client.reviewer("ann"), job);
        KafkaBroker kafka = SharedInfrastructure.kafka();
        kafka.stop();
        try {
            assertEquals(TaskState.TASK_STATE_DONE, decide(client.reviewer("ann"), claim, true).getTask().getState());
        } finally {
            kafka.start();
        }
        List<ReviewDecisionMade> events = decisionsOf(job, 1);
        assertEquals(1, events.size());
        ReviewDecisionMade event = events.get(0);
        assertEquals(claim.getTask().getName(), event.getTask());
        assertEquals("ann", event.getReviewer());
        assertEquals(TaskState.TASK_STATE_DONE, event.getTaskState());
        assertTrue(event.getGoldLabel());
    }

    @Test
    void everyDecisionOfAnOverlappingTaskIsPublishedOnceKeyedByJob() {
        String job = "events-" + UUID.randomUUID();
        client.createTasks(job, 1, 2);
        ClaimNextTaskResponse ann = claim(client.reviewer("ann"), job);
        ClaimNextTaskResponse bob = claim(client.reviewer("bob"), job);
        decide(client.reviewer("ann"), ann, true);
        decide(client.reviewer("bob"), bob, true);
        List<ReviewDecisionMade> events = decisionsOf(job, 2);
        assertEquals(2, events.size());
        assertEquals(TaskState.TASK_STATE_OPEN, events.get(0).getTaskState());
        assertFalse(events.get(0).hasGoldLabel());
        assertEquals(1, events.get(0).getDecisionCount());
        assertEquals(TaskState.TASK_STATE_DONE, events.get(1).getTaskState());
        assertEquals(2, events.get(1).getDecisionCount());
        assertEquals(ReviewerRole.REVIEWER_ROLE_REVIEWER, events.get(1).getReviewerRole());
        assertEquals(2, events.get(1).getRequiredDecisions());
    }

    private static List<ReviewDecisionMade> decisionsOf(String job, int expected) {
        List<ConsumerRecord<String, byte[]>> records = ReviewClient.read("review.decisions.v1",
                r -> job.equals(r.key()), expected);
        for (ConsumerRecord<String, byte[]> r : records) {
            assertEquals("cope.events.v1.ReviewDecisionMade",
                    new String(r.headers().lastHeader("ce_type").value(), StandardCharsets.UTF_8));
        }
        return records.stream().map(r -> {
            try {
                return ReviewDecisionMade.parseFrom(r.value());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
