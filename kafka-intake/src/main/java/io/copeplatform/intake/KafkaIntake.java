package io.copeplatform.intake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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

/**
 * Consumes one topic on its own thread with a plain {@link KafkaConsumer}, at least once.
 * <p>
 * Offsets are committed only after the handler returned, i.e. after its database transaction committed. A handler
 * failure (any {@link RuntimeException}, e.g. the database is away) commits what was done, rewinds every partition of
 * the batch to its first unprocessed record and retries after {@code retryBackoff}. A record the handler rejects with
 * {@link InvalidRecordException} is copied, with its headers plus {@value #DLQ_REASON_HEADER} and
 * {@value #DLQ_ORIGIN_HEADER} ({@code topic/partition@offset}), to the dead-letter topic and skipped; its offset is
 * committed only once the dead letter is acknowledged. A record can therefore reach the handler more than once (after a
 * crash or a failed commit): handlers are idempotent, typically by recording the event id in their transaction.
 * <p>
 * {@link #close()} stops the loop (the current record finishes) and waits up to 10 s for the thread.
 */
public final class KafkaIntake implements AutoCloseable {

    public static final String DLQ_REASON_HEADER = "x-cope-dlq-reason";
    public static final String DLQ_ORIGIN_HEADER = "x-cope-dlq-origin";
    private static final Logger LOG = Logger.getLogger(KafkaIntake.class);

    /** Handles one record; throws {@link InvalidRecordException} for a record to dead-letter. */
    @FunctionalInterface
    public interface Handler {
        void handle(ConsumerRecord<byte[], byte[]> record) throws InvalidRecordException;
    }

    /**
     * @param name
     *            the thread's name and the logs' subject, e.g. {@code review-task-intake}
     * @param pollTimeout
     *            longest wait of one poll
     * @param retryBackoff
     *            wait before retrying after a failure
     */
    public record Settings(String name, String topic, String groupId, String deadLetterTopic, Duration pollTimeout,
            Duration retryBackoff) {
    }

    private final Map<String, Object> kafkaConfig;
    private final Settings settings;
    private final Handler handler;
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private KafkaProducer<byte[], byte[]> deadLetters;

    /**
     * @param kafkaConfig
     *            client settings (bootstrap servers, security); group and commit settings are set here
     */
    public KafkaIntake(Map<String, Object> kafkaConfig, Settings settings, Handler handler) {
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        this.settings = settings;
        this.handler = handler;
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException(settings.name() + " already started");
        }
        running = true;
        thread = new Thread(this::run, settings.name());
        thread.setDaemon(true);
        thread.start();
    }

    /** Records sent to the dead-letter topic since start (for a gauge). */
    public long deadLettered() {
        return deadLettered.get();
    }

    @Override
    public synchronized void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> current = consumer;
        if (current != null) {
            current.wakeup();
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
        props.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
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
            c.subscribe(List.of(settings.topic()));
            while (running) {
                try {
                    pollOnce(c);
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // e.g. a commit while the broker is away: uncommitted records are redelivered (and deduplicated).
                    LOG.warnf("%s: cycle failed, will retry: %s", settings.name(), e.toString());
                    backoff();
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s stopped", settings.name());
        }
    }

    private void pollOnce(KafkaConsumer<byte[], byte[]> c) {
        ConsumerRecords<byte[], byte[]> records = c.poll(settings.pollTimeout());
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                try {
                    handle(record);
                } catch (RuntimeException e) {
                    LOG.warnf("%s: failed at %s-%d@%d, will retry: %s", settings.name(), record.topic(),
                            record.partition(), record.offset(), e.toString());
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
        try {
            handler.handle(record);
        } catch (InvalidRecordException e) {
            deadLetter(record, e.getMessage());
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(settings.deadLetterTopic(), null, record.key(),
                record.value());
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
        LOG.warnf("%s: dead-lettered %s-%d@%d: %s", settings.name(), record.topic(), record.partition(),
                record.offset(), reason);
    }

    private static void commit(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> done) {
        if (!done.isEmpty()) {
            c.commitSync(done);
        }
    }

    private void backoff() {
        try {
            Thread.sleep(settings.retryBackoff().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
