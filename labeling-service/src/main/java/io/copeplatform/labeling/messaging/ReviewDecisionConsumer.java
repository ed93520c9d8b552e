package io.copeplatform.labeling.messaging;

import static io.copeplatform.intake.InvalidRecordException.require;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.review.v1.ClauseSpan;
import io.copeplatform.api.review.v1.TaskState;
import io.copeplatform.intake.InvalidRecordException;
import io.copeplatform.intake.KafkaIntake;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.mapping.LabelingProtos;
import io.copeplatform.labeling.service.DecisionIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Consumes {@code review.decisions.v1} through the shared {@link KafkaIntake} loop (at-least-once, offsets committed
 * after the finding's transaction, invalid records to the dead-letter topic). Idempotent: the event id is recorded in
 * the finding's transaction, so a redelivery does nothing.
 */
@ApplicationScoped
public class ReviewDecisionConsumer {

    private static final Logger LOG = Logger.getLogger(ReviewDecisionConsumer.class);

    private final DecisionIntake intake;
    private final LabelingConfig config;
    private final KafkaIntake loop;

    public ReviewDecisionConsumer(DecisionIntake intake, LabelingConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.intake = intake;
        this.config = config;
        var settings = config.decisions();
        this.loop = new KafkaIntake(kafkaConfig, new KafkaIntake.Settings("review-decision-intake",
                settings.topic(), settings.groupId(), settings.deadLetterTopic(), settings.pollTimeout(),
                settings.retryBackoff()), this::handle);
        meters.gauge("labeling.decisions.dead.lettered", loop, KafkaIntake::deadLettered);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.decisions().enabled()) {
            LOG.info("Decision intake disabled (labeling.decisions.enabled=false)");
            return;
        }
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        loop.close();
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) throws InvalidRecordException {
        Decoded decoded = toFinding(record.value());
        DecisionIntake.Outcome outcome = intake.accept(decoded.finding(), decoded.task());
        LOG.debugf("Decision event %s (%s item %s): %s", decoded.finding().eventId(), decoded.finding().jobId(),
                decoded.finding().itemId(), outcome);
    }

    /** A decoded decision and the name of its review task. */
    record Decoded(ReviewFinding finding, String task) {
    }

    /** Decodes and validates a ReviewDecisionMade record. */
    static Decoded toFinding(byte[] value) throws InvalidRecordException {
        if (value == null) {
            throw new InvalidRecordException("empty record value");
        }
        ReviewDecisionMade event;
        try {
            event = ReviewDecisionMade.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRecordException("not a cope.events.v1.ReviewDecisionMade: " + e.getMessage());
        }
        require(!event.getEventId().isBlank(), "event_id is empty");
        require(event.getJob().startsWith("binocularJobs/") && event.getJob().length() > 14,
                "job must be binocularJobs/{job}");
        require(event.getIteration() >= 1, "iteration must be >= 1");
        String item = event.getItem();
        int items = item.indexOf("/items/");
        require(item.startsWith("datasets/") && items > 0 && items + 7 < item.length(),
                "item must be datasets/{dataset}/items/{item}");
        Boolean gold = event.getTaskState() == TaskState.TASK_STATE_DONE && event.hasGoldLabel()
                ? event.getGoldLabel()
                : null;
        String side = null;
        Integer start = null;
        Integer end = null;
        String quoted = null;
        if (event.hasAmbiguousClause()) {
            ClauseSpan span = event.getAmbiguousClause();
            side = span.getSide().name().replace("POLICY_SIDE_", "");
            start = span.getStartOffset();
            end = span.getEndOffset();
            quoted = span.getQuotedText();
        }
        ReviewFinding finding = new ReviewFinding(event.getEventId(), event.getJob().substring(14),
                event.getIteration(), item.substring(items + 7), event.getDecision(), event.getReviewer(),
                event.getLabel(), event.getCorrectVersion().name().replace("CORRECT_VERSION_", ""), side, start, end,
                quoted, event.getNote(), event.getResolution(), LabelingProtos.instant(event.getEventTime()), gold);
        return new Decoded(finding, event.getTask());
    }
}
