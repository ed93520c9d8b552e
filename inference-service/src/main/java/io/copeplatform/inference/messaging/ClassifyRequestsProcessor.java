package io.copeplatform.inference.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

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
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import io.copeplatform.api.events.v1.ClassificationRequest;
import io.copeplatform.api.events.v1.ClassificationResult;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.grpc.InferenceGrpcService;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Classification as a stream processor: requests from {@code classify.requests.v1}, one result (or per-request error)
 * per request on {@code classify.results.v1}, keyed by request id. At-least-once: offsets are committed only after the
 * results of a poll were acknowledged by the broker, so a crash re-delivers (and re-answers) rather than loses.
 * Undecodable records go, untouched, to the dead-letter topic.
 * <p>
 * An error result is a verdict on the request (invalid, unknown policy, past its deadline). A failure that says nothing
 * about the request — the registry or the model unavailable, the batcher's queue full, the service shutting down (gRPC
 * UNAVAILABLE or RESOURCE_EXHAUSTED) — is never published: the poll is answered again after a back-off (0.1 s doubling
 * to 5 s), so an outage delays requests instead of answering them with it.
 */
@ApplicationScoped
public class ClassifyRequestsProcessor {

    private static final Logger LOG = Logger.getLogger(ClassifyRequestsProcessor.class);
    private static final String SOURCE = "//inference.cope.io";
    /** How long shutdown waits for the poll in progress to be answered and committed. */
    private static final Duration DRAIN = Duration.ofSeconds(10);
    private static final Duration MIN_RETRY_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(5);

    private final InferenceConfig config;
    private final InferenceGrpcService api;
    private final Map<String, Object> kafkaConfig;
    private volatile boolean running;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private Thread thread;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();

    public ClassifyRequestsProcessor(InferenceConfig config, @GrpcService InferenceGrpcService api,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.api = api;
        this.kafkaConfig = kafkaConfig;
    }

    /** Runs after the model host's start-up observer (default priority): the model is loaded first. */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (!config.kafka().enabled()) {
            return;
        }
        Properties consumerProps = new Properties();
        consumerProps.putAll(kafkaConfig);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.kafka().groupId());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.kafka().maxPollRecords());
        Properties producerProps = new Properties();
        producerProps.putAll(kafkaConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        consumer.subscribe(List.of(config.kafka().requestsTopic()));
        running = true;
        thread = new Thread(this::run, "classify-requests");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Lets the poll in progress be answered and committed (so a redeploy re-answers nothing), then, if that takes
     * longer than {@link #DRAIN}, interrupts it: its requests are answered again after the restart (at-least-once).
     * Runs before the model host's shutdown observer (default priority), so the engine still answers meanwhile.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.APPLICATION) ShutdownEvent event) {
        running = false;
        if (thread != null) {
            try {
                thread.join(DRAIN.toMillis());
                if (thread.isAlive()) {
                    consumer.wakeup();
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Results (or per-request errors) acknowledged by the broker since start; re-answers count again. */
    public long answered() {
        return answered.get();
    }

    /** Polls put back for a later answer since start, because a request failed for a reason not its own. */
    public long retried() {
        return retried.get();
    }

    private void run() {
        Duration backoff = MIN_RETRY_BACKOFF;
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                try {
                    process(records);
                    consumer.commitSync();
                    backoff = MIN_RETRY_BACKOFF;
                } catch (AnswerLater e) {
                    retried.incrementAndGet();
                    LOG.infof("Classification requests put back for %d ms: %s", backoff.toMillis(), e.getMessage());
                    rewind(records);
                    pause(backoff);
                    backoff = Collections.min(List.of(backoff.multipliedBy(2), MAX_RETRY_BACKOFF));
                } catch (WakeupException e) {
                    throw e; // shutting down: the uncommitted poll is redone after the restart
                } catch (RuntimeException e) {
                    LOG.warnf("Classification requests not answered (%s); they will be consumed again", e.toString());
                    rewind(records);
                }
            }
        } catch (WakeupException e) {
            // shutting down
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Sleeps {@code time}, in steps, so that a shutdown is not held up. */
    private void pause(Duration time) {
        long until = System.nanoTime() + time.toNanos();
        try {
            while (running && System.nanoTime() < until) {
                Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Classifies a poll's requests concurrently and waits until every answer is acknowledged by the broker; publishes
     * nothing and throws {@link AnswerLater} when any request failed for a reason not its own.
     */
    private void process(ConsumerRecords<String, byte[]> records) {
        List<Future<?>> acks = new ArrayList<>();
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            ClassificationRequest request;
            try {
                request = ClassificationRequest.parseFrom(record.value());
            } catch (InvalidProtocolBufferException | NullPointerException e) {
                deadLetters.add(deadLetter(record, e));
                continue;
            }
            answers.add(answer(request));
        }
        List<Answer> ready = answers.stream().map(CompletableFuture::join).toList();
        ready.stream().filter(Answer::later).findFirst().ifPresent(later -> {
            throw new AnswerLater(later.record().key() + ": " + later.reason());
        });
        deadLetters.forEach(dead -> acks.add(producer.send(dead)));
        for (Answer answer : ready) {
            acks.add(producer.send(answer.record(), (metadata, error) -> {
                if (error == null) {
                    answered.incrementAndGet();
                }
            }));
        }
        for (Future<?> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("result not acknowledged: " + e.getMessage(), e);
            }
        }
    }

    /** The result record of one request, or a failure not its own ({@code later}): answered on a later poll. */
    private record Answer(ProducerRecord<String, byte[]> record, boolean later, String reason) {
    }

    /** Some request of the poll failed for a reason not its own; the poll is answered again later. */
    private static final class AnswerLater extends RuntimeException {
        AnswerLater(String message) {
            super(message, null, false, false);
        }
    }

    /** gRPC codes that say the service cannot answer now, not that the request is wrong. */
    private static boolean notTheRequestsFault(int code) {
        return code == Status.Code.UNAVAILABLE.value() || code == Status.Code.RESOURCE_EXHAUSTED.value();
    }

    private CompletableFuture<Answer> answer(ClassificationRequest request) {
        ClassificationResult.Builder result = ClassificationResult.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSource(SOURCE)
                .setRequestId(request.getRequestId())
                .setRequestEventId(request.getEventId());
        long deadlineNanos = Long.MAX_VALUE;
        if (request.hasDeadlineTime()) {
            Instant deadline = Instant.ofEpochSecond(request.getDeadlineTime().getSeconds(),
                    request.getDeadlineTime().getNanos());
            deadlineNanos = System.nanoTime() + Duration.between(Instant.now(), deadline).toNanos();
        }
        return api.classifyOne(request.getRequest(), deadlineNanos)
                .map(r -> result.setResult(r))
                .onFailure().recoverWithItem(failure -> result.setError(api.itemError(failure)))
                .map(done -> {
                    Instant now = Instant.now();
                    done.setEventTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond())
                            .setNanos(now.getNano()));
                    ClassificationResult event = done.build();
                    ProducerRecord<String, byte[]> out = new ProducerRecord<>(config.kafka().resultsTopic(),
                            request.getRequestId(), event.toByteArray());
                    out.headers().add(header("ce_specversion", "1.0")).add(header("ce_id", event.getEventId()))
                            .add(header("ce_source", SOURCE))
                            .add(header("ce_type", "cope.events.v1.ClassificationResult"))
                            .add(header("content-type", "application/protobuf"));
                    return new Answer(out, event.hasError() && notTheRequestsFault(event.getError().getCode()),
                            event.hasError() ? event.getError().getReason() : "");
                })
                .subscribeAsCompletionStage();
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, Exception error) {
        LOG.warnf("Undecodable classification request %s-%d@%d sent to %s", record.topic(), record.partition(),
                record.offset(), config.kafka().deadLetterTopic());
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(config.kafka().deadLetterTopic(), record.key(),
                record.value());
        record.headers().forEach(h -> dead.headers().add(h));
        dead.headers().add(header("dlq_error", String.valueOf(error.getMessage())))
                .add(header("dlq_origin", record.topic() + "-" + record.partition() + "@" + record.offset()));
        return dead;
    }

    /** Goes back to the first record of the failed poll on each partition. */
    private void rewind(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            first.put(partition, new OffsetAndMetadata(records.records(partition).get(0).offset()));
        }
        first.forEach((partition, offset) -> consumer.seek(partition, offset.offset()));
    }

    private static RecordHeader header(String name, String value) {
        return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
