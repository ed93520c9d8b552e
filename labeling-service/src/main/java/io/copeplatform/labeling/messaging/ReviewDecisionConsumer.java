package io.copeplatform.labeling.messaging;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.copeplatform.api.events.v1.ReviewDecisionMade;
import io.copeplatform.api.review.v1.ClauseSpan;
import io.copeplatform.api.review.v1.TaskState;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.mapping.LabelingProtos;
import io.copeplatform.labeling.service.DecisionIntake;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Consumes {@code review.decisions.v1} on its own thread with a plain {@link KafkaConsumer}.
 * <p>
 * At-least-once: offsets are committed only after the task's database transaction committed; a storage failure seeks
 * back and retries the record. Idempotent: the event id is recorded in the finding's transaction, so a redelivery does
 * nothing. A record that cannot be decoded or is invalid is copied, with its headers and a reason, to the dead-letter
 * topic and skipped (its offset is committed only once the dead letter is acknowledged).
 */
@ApplicationScoped
public class ReviewDecisionConsumer {

    private static final Logger LOG = Logger.getLogger(ReviewDecisionConsumer.class);
    static final String DLQ_REASON_HEADER = "x-cope-dlq-reason";
    static final String DLQ_ORIGIN_HEADER = "x-cope-dlq-origin";

    private final DecisionIntake intake;
    private final LabelingConfig config;
    private final Map<String, Object> kafkaConfig;
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;

    public ReviewDecisionConsumer(DecisionIntake intake, LabelingConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.intake = intake;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        meters.gauge("labeling.decisions.dead.lettered", deadLettered);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.decisions().enabled()) {
            LOG.info("Decision intake disabled (labeling.decisions.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "review-decision-intake");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.decisions().groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        Properties producerProps = new Properties();
        producerProps.putAll(kafkaConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            consumer = c;
            deadLetters = p;
            if (!running) {
                return;
            }
            c.subscribe(List.of(config.decisions().topic()));
            while (running) {
                try {
                    pollOnce(c);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // e.g. a commit while the broker is away: uncommitted records are redelivered (and deduplicated).
                    LOG.warnf("Decision intake cycle failed, will retry: %s", e.toString());
                    backoff();
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "Decision intake stopped");
        }
    }

    private void pollOnce(KafkaConsumer<byte[], byte[]> c) {
        ConsumerRecords<byte[], byte[]> records = c.poll(config.decisions().pollTimeout());
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                try {
                    handle(record);
                } catch (RuntimeException e) {
                    LOG.warnf("Decision intake failed at %s-%d@%d, will retry: %s", record.topic(), record.partition(),
                            record.offset(), e.toString());
                    commit(c, done);
                    // Rewind every partition of this batch to its first unprocessed record.
                    for (TopicPartition p : records.partitions()) {
                        OffsetAndMetadata processed = done.get(p);
                        c.seek(p, processed != null ? processed.offset() : records.records(p).get(0).offset());
                    }
                    backoff();
                    return;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        commit(c, done);
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        Decoded decoded;
        try {
            decoded = toFinding(record.value());
        } catch (InvalidRecordException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        DecisionIntake.Outcome outcome = intake.accept(decoded.finding(), decoded.task());
        LOG.debugf("Decision event %s (%s item %s): %s", decoded.finding().eventId(), decoded.finding().jobId(),
                decoded.finding().itemId(), outcome);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(config.decisions().deadLetterTopic(), null,
                record.key(), record.value());
        for (Header h : record.headers()) {
            letter.headers().add(h);
        }
        letter.headers().add(DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        letter.headers().add(DLQ_ORIGIN_HEADER,
                (record.topic() + "/" + record.partition() + "@" + record.offset()).getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(letter).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while dead-lettering", e);
        } catch (Exception e) {
            throw new IllegalStateException("Dead-letter topic unavailable: " + e, e);
        }
        deadLettered.incrementAndGet();
        LOG.warnf("Dead-lettered %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), reason);
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

    private static void require(boolean condition, String message) throws InvalidRecordException {
        if (!condition) {
            throw new InvalidRecordException(message);
        }
    }

    private static void commit(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> done) {
        if (!done.isEmpty()) {
            c.commitSync(done);
        }
    }

    private void backoff() {
        try {
            Thread.sleep(config.decisions().retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A record that will never decode into a valid decision. */
    static final class InvalidRecordException extends Exception {
        InvalidRecordException(String message) {
            super(message, null, false, false);
        }
    }
}
