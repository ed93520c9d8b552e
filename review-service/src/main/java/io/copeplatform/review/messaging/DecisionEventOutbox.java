package io.copeplatform.review.messaging;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.review.config.ReviewConfig;
import io.copeplatform.review.domain.Decision;
import io.copeplatform.review.domain.Task;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.domain.TaskState;
import io.copeplatform.review.mapping.ReviewProtos;

/**
 * Writes {@code ReviewDecisionMade} events into the outbox table. Must be called inside the transaction of the decision
 * it reports: the event commits with the decision or not at all. {@link DecisionEventsRelay} sends it to Kafka later.
 */
@ApplicationScoped
public class DecisionEventOutbox {

    private final ReviewConfig config;

    public DecisionEventOutbox(ReviewConfig config) {
        this.config = config;
    }

    /** Appends the event of {@code decision}; {@code task} is the task after the decision. */
    public void decisionMade(Connection c, Task task, Decision decision) throws SQLException {
        UUID id = UUID.randomUUID();
        ReviewDecisionMade.Builder event = ReviewDecisionMade.newBuilder()
                .setEventId(id.toString())
                .setEventTime(ReviewProtos.timestamp(decision.createTime()))
                .setSource(config.eventSource())
                .setTask(TaskIds.name(task.id()))
                .setDecision(TaskIds.name(task.id()) + "/decisions/" + decision.id())
                .setJob(task.job())
                .setIteration(task.iteration())
                .setItem(task.item())
                .setReviewer(decision.reviewer())
                .setReviewerRole(ReviewProtos.role(decision.role()))
                .setLabel(decision.label())
                .setCorrectVersion(ReviewProtos.correctVersion(decision.correctVersion()))
                .setNote(decision.note())
                .setResolution(decision.resolution())
                .setRequiredDecisions(task.requiredDecisions())
                .setDecisionCount(task.decisionCount())
                // The queue's CLAIMED (slots under lease) is still OPEN to consumers: it needs decisions.
                .setTaskState(ReviewProtos.state(task.state() == TaskState.CLAIMED ? TaskState.OPEN : task.state()));
        if (decision.span() != null) {
            event.setAmbiguousClause(ReviewProtos.span(decision.span(), decision.quotedText()));
        }
        if (task.goldLabel() != null) {
            event.setGoldLabel(task.goldLabel());
        }
        ReviewDecisionMade built = event.build();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.outbox (event_id, topic, record_key, "
                + "event_type, payload, create_time) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setObject(1, id);
            s.setString(2, config.outbox().topic());
            s.setString(3, jobId(task.job()));
            s.setString(4, built.getDescriptorForType().getFullName());
            s.setBytes(5, built.toByteArray());
            s.setTimestamp(6, Timestamp.from(decision.createTime()));
            s.executeUpdate();
        }
    }

    /** The Kafka key: the {@code {job}} of {@code binocularJobs/{job}}. */
    static String jobId(String job) {
        int slash = job.lastIndexOf('/');
        return slash < 0 ? job : job.substring(slash + 1);
    }
}
