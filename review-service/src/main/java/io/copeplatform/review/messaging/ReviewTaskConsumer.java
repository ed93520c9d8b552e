package io.copeplatform.review.messaging;

import static io.copeplatform.intake.InvalidRecordException.require;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.intake.InvalidRecordException;
import io.copeplatform.intake.KafkaIntake;
import io.copeplatform.review.config.ReviewConfig;
import io.copeplatform.review.domain.NewTask;
import io.copeplatform.review.domain.TaskWithdrawal;
import io.copeplatform.review.mapping.ReviewProtos;
import io.copeplatform.review.service.TaskIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Consumes {@code review.tasks.v1} through the shared {@link KafkaIntake} loop (at-least-once, offsets committed after
 * the task's transaction, invalid records to the dead-letter topic): {@code ReviewTaskCreated} creates a task,
 * {@code ReviewTasksWithdrawn} (told apart by the CloudEvents {@code ce_type} header) cancels a job's open tasks.
 * Idempotent: the event id is recorded in the task's transaction, so a redelivery does nothing.
 */
@ApplicationScoped
public class ReviewTaskConsumer {

    private static final Logger LOG = Logger.getLogger(ReviewTaskConsumer.class);
    static final String CE_TYPE_HEADER = "ce_type";
    static final String WITHDRAWN_TYPE = ReviewTasksWithdrawn.getDescriptor().getFullName();

    private final TaskIntake intake;
    private final ReviewConfig config;
    private final KafkaIntake loop;

    public ReviewTaskConsumer(TaskIntake intake, ReviewConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.intake = intake;
        this.config = config;
        var settings = config.intake();
        this.loop = new KafkaIntake(kafkaConfig, new KafkaIntake.Settings("review-task-intake", settings.topic(),
                settings.groupId(), settings.deadLetterTopic(), settings.pollTimeout(), settings.retryBackoff()),
                this::handle);
        meters.gauge("review.intake.dead.lettered", loop, KafkaIntake::deadLettered);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.intake().enabled()) {
            LOG.info("Task intake disabled (review.intake.enabled=false)");
            return;
        }
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.close();
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) throws InvalidRecordException {
        if (WITHDRAWN_TYPE.equals(eventType(record))) {
            TaskWithdrawal withdrawal = toWithdrawal(record.value());
            int cancelled = intake.withdraw(withdrawal);
            LOG.debugf("Event %s (%s iteration %d withdrawn): %d tasks cancelled", withdrawal.eventId(),
                    withdrawal.job(), withdrawal.iteration(), cancelled);
            return;
        }
        NewTask task = toTask(record.value());
        TaskIntake.Outcome outcome = intake.accept(task);
        LOG.debugf("Event %s (%s item %s): %s", task.eventId(), task.job(), task.item(), outcome);
    }

    /** The CloudEvents type header; records without one are ReviewTaskCreated (the topic's first event type). */
    private static String eventType(ConsumerRecord<byte[], byte[]> record) {
        Header type = record.headers().lastHeader(CE_TYPE_HEADER);
        return type == null || type.value() == null ? "" : new String(type.value(), StandardCharsets.UTF_8);
    }

    /** Decodes and validates a ReviewTasksWithdrawn record. */
    static TaskWithdrawal toWithdrawal(byte[] value) throws InvalidRecordException {
        if (value == null) {
            throw new InvalidRecordException("empty record value");
        }
        ReviewTasksWithdrawn event;
        try {
            event = ReviewTasksWithdrawn.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRecordException("not a cope.events.v1.ReviewTasksWithdrawn: " + e.getMessage());
        }
        require(!event.getEventId().isBlank(), "event_id is empty");
        require(event.getJob().startsWith("binocularJobs/") && event.getJob().length() > 14,
                "job must be binocularJobs/{job}");
        require(event.getIteration() >= 0, "iteration must be >= 0");
        return new TaskWithdrawal(event.getEventId(), event.getJob(), event.getIteration(), event.getReason());
    }

    /** Decodes and validates a ReviewTaskCreated record. */
    static NewTask toTask(byte[] value) throws InvalidRecordException {
        if (value == null) {
            throw new InvalidRecordException("empty record value");
        }
        ReviewTaskCreated event;
        try {
            event = ReviewTaskCreated.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRecordException("not a cope.events.v1.ReviewTaskCreated: " + e.getMessage());
        }
        require(!event.getEventId().isBlank(), "event_id is empty");
        require(event.getJob().startsWith("binocularJobs/") && event.getJob().length() > 14,
                "job must be binocularJobs/{job}");
        require(event.getIteration() >= 1, "iteration must be >= 1");
        require(!event.getItem().isBlank(), "item is empty");
        require(event.hasPolicyA() && event.hasPolicyB(), "policy_a and policy_b are required");
        require(!event.getPolicyA().getText().isEmpty() && !event.getPolicyB().getText().isEmpty(),
                "policy texts must not be empty");
        require(event.getRequiredDecisions() >= 0, "required_decisions must be >= 1");
        int k = Math.max(1, event.getRequiredDecisions());
        return new NewTask(event.getEventId(), event.getJob(), event.getIteration(), event.getItem(),
                event.getContent(), event.getContentSha256(), ReviewProtos.policy(event.getPolicyA()),
                ReviewProtos.policy(event.getPolicyB()), event.getLabeler(), k,
                ReviewProtos.instant(event.getEventTime()),
                event.hasIterationSummary() ? event.getIterationSummary().toByteArray() : null);
    }
}
