package io.copeplatform.review.messaging;

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

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
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
 * Consumes {@code review.tasks.v1} on its own thread with a plain {@link KafkaConsumer}: {@code ReviewTaskCreated}
 * creates a task, {@code ReviewTasksWithdrawn} (told apart by the CloudEvents {@code ce_type} header) cancels a job's
 * open tasks.
 * <p>
 * At-least-once: offsets are committed only after the task's database transaction committed; a storage failure seeks
 * back and retries the record. Idempotent: the event id is recorded in the task's transaction, so a redelivery does
 * nothing. A record that cannot be decoded or is invalid is copied, with its headers and a reason, to the dead-letter
 * topic and skipped (its offset is committed only once the dead letter is acknowledged).
 */
@ApplicationScoped
public class ReviewTaskConsumer {

    private static final Logger LOG = Logger.getLogger(ReviewTaskConsumer.class);
    static final String DLQ_REASON_HEADER = "x-cope-dlq-reason";
    static final String DLQ_ORIGIN_HEADER = "x-cope-dlq-origin";
    static final String CE_TYPE_HEADER = "ce_type";
    static final String WITHDRAWN_TYPE = ReviewTasksWithdrawn.getDescriptor().getFullName();

    private final TaskIntake intake;
    private final ReviewConfig config;
    private final Map<String, Object> kafkaConfig;
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetters;

    public ReviewTaskConsumer(TaskIntake intake, ReviewConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.intake = intake;
        this.config = config;
        this.kafkaConfig = kafkaConfig;
        meters.gauge("review.intake.dead.lettered", deadLettered);
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.intake().enabled()) {
            LOG.info("Task intake disabled (review.intake.enabled=false)");
            return;
        }
        running = true;
        thread = new Thread(this::run, "review-task-intake");
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
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.intake().groupId());
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
            c.subscribe(List.of(config.intake().topic()));
            while (running) {
                try {
                    pollOnce(c);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // e.g. a commit while the broker is away: uncommitted records are redelivered (and deduplicated).
                    LOG.warnf("Task intake cycle failed, will retry: %s", e.toString());
                    backoff();
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "Task intake stopped");
        }
    }

    private void pollOnce(KafkaConsumer<byte[], byte[]> c) {
        ConsumerRecords<byte[], byte[]> records = c.poll(config.intake().pollTimeout());
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                try {
                    handle(record);
                } catch (RuntimeException e) {
                    LOG.warnf("Task intake failed at %s-%d@%d, will retry: %s", record.topic(), record.partition(),
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
        if (WITHDRAWN_TYPE.equals(eventType(record))) {
            TaskWithdrawal withdrawal;
            try {
                withdrawal = toWithdrawal(record.value());
            } catch (InvalidRecordException e) {
                deadLetter(record, e.getMessage());
                return;
            }
            int cancelled = intake.withdraw(withdrawal);
            LOG.debugf("Event %s (%s iteration %d withdrawn): %d tasks cancelled", withdrawal.eventId(),
                    withdrawal.job(), withdrawal.iteration(), cancelled);
            return;
        }
        NewTask task;
        try {
            task = toTask(record.value());
        } catch (InvalidRecordException e) {
            deadLetter(record, e.getMessage());
            return;
        }
        TaskIntake.Outcome outcome = intake.accept(task);
        LOG.debugf("Event %s (%s item %s): %s", task.eventId(), task.job(), task.item(), outcome);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(config.intake().deadLetterTopic(), null,
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
            Thread.sleep(config.intake().retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** A record that will never decode into a valid task. */
    static final class InvalidRecordException extends Exception {
        InvalidRecordException(String message) {
            super(message, null, false, false);
        }
    }
}
