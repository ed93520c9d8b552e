package io.copeplatform.inference.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.ClassificationRequest;
import io.copeplatform.api.events.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.inference.RegistryRest;
import io.copeplatform.testkit.KafkaBroker;
import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.SharedInfrastructure;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The Kafka path through a real broker: requests in, results out keyed by request id, poison to the DLQ, and nothing
 * lost when the broker restarts mid-stream or the service's consumer stops and starts again (as in a redeploy).
 */
@QuarkusTest
class ClassifyOverKafkaTest {

    @Inject
    ClassifyRequestsProcessor processor;

    @Test
    void everyRequestGetsOneResultAndAnUndecodableRecordGoesToTheDeadLetterTopic() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(request(run + "-ok", "Buy cheap watches now")).get();
            producer.send(request(run + "-empty", "")).get();
            producer.send(new ProducerRecord<>("classify.requests.v1", run + "-poison",
                    "not a protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1))).get();
        }

        Map<String, ClassificationResult> results = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : consume("classify.results.v1", run, 2)) {
            results.put(record.key(), ClassificationResult.parseFrom(record.value()));
        }
        var ok = results.get(run + "-ok");
        assertTrue(ok.hasResult(), ok.toString());
        assertEquals("cope-tiny-test-gemma2", ok.getResult().getModelName());
        assertEquals(run + "-ok", ok.getRequestId());
        var empty = results.get(run + "-empty");
        assertEquals("CONTENT_EMPTY", empty.getError().getReason());

        List<ConsumerRecord<String, byte[]>> dead = consume("classify.requests.v1.dlq", run, 1);
        assertEquals(run + "-poison", dead.get(0).key());
        assertTrue(dead.get(0).headers().lastHeader("dlq_error") != null);
    }

    @Test
    void noRequestIsLostWhenTheBrokerRestartsWhileTheyAreBeingAnswered() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int requests = 2_000;
        sendAndAwaitTheFirstAnswers(run, requests);
        KafkaBroker broker = SharedInfrastructure.kafka();
        broker.stop();
        broker.start();

        // At-least-once: every request is answered; a request in flight at the restart may be answered twice.
        assertEquals(requests, answeredIds(answers(run, requests)).size());
    }

    @Test
    void noRequestIsLostOrRepeatedWhenTheServiceStopsAndStartsAgainWhileTheyAreBeingAnswered() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int requests = 1_000;
        sendAndAwaitTheFirstAnswers(run, requests);
        processor.onStop(null); // what shutdown does: the poll in progress is answered and committed, then it stops
        processor.onStart(null); // a new consumer in the same group resumes from the committed offsets

        List<ConsumerRecord<String, byte[]>> answers = answers(run, requests);
        assertEquals(requests, answeredIds(answers).size());
        assertEquals(requests, answers.size(), "the stop let its poll finish and commit: nothing is answered twice");
    }

    @Test
    void aRequestThatCannotBeAnsweredForNowIsAnsweredLaterNotWithTheOutage() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String policy = "kafka-later-" + run;
        RegistryRest.ensureLive(policy, RegistryRest.policy("Kafka retry.\n"));
        long retriedBefore = processor.retried();
        RegistryProcess.stop();
        try {
            // Never resolved before, so not cached: while the registry is down the request cannot be answered.
            try (KafkaProducer<String, byte[]> producer = producer()) {
                producer.send(request(run + "-ref", ClassifyRequest.newBuilder().setContent("Buy cheap watches now")
                        .setPolicyRef("policies/" + policy + "@live").build())).get();
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> processor.retried() >= retriedBefore + 3);
        } finally {
            RegistryProcess.restart();
        }

        List<ConsumerRecord<String, byte[]>> answers = consume("classify.results.v1", run, 1);
        assertEquals(1, answers.size());
        ClassificationResult answer = ClassificationResult.parseFrom(answers.get(0).value());
        assertTrue(answer.hasResult(),
                "answered once the registry is back, never with REGISTRY_UNAVAILABLE: " + answer);
        assertEquals("policies/" + policy + "/versions/1", answer.getResult().getPolicy().getPolicyVersion());
    }

    /** Sends {@code requests} requests and waits until the first 50 are answered, the rest still to come. */
    private void sendAndAwaitTheFirstAnswers(String run, int requests) {
        long before = processor.answered();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < requests; i++) {
                producer.send(request(run + "-" + i, "message number " + i + ": buy cheap watches"));
            }
            producer.flush();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> processor.answered() >= before + 50);
        assertTrue(processor.answered() < before + requests, "the disruption must come while requests are answered");
    }

    /** This run's results until every one of its {@code requests} request ids has one (repeats included). */
    private static List<ConsumerRecord<String, byte[]>> answers(String run, int requests) {
        return consume("classify.results.v1", run, requests,
                records -> records.stream().map(ConsumerRecord::key).distinct().count() >= requests);
    }

    /** The request ids answered with a result (an error result fails the test). */
    private static Set<String> answeredIds(List<ConsumerRecord<String, byte[]>> answers) throws Exception {
        Set<String> ids = new HashSet<>();
        for (ConsumerRecord<String, byte[]> record : answers) {
            assertTrue(ClassificationResult.parseFrom(record.value()).hasResult(), record.key());
            ids.add(record.key());
        }
        return ids;
    }

    private static ProducerRecord<String, byte[]> request(String id, String content) {
        return request(id, ClassifyRequest.newBuilder().setContent(content)
                .setPolicyText("## Overview\nFlags unsolicited advertising.\n").build());
    }

    private static ProducerRecord<String, byte[]> request(String id, ClassifyRequest classify) {
        ClassificationRequest request = ClassificationRequest.newBuilder().setEventId(UUID.randomUUID().toString())
                .setRequestId(id).setSource("//test").setRequest(classify).build();
        return new ProducerRecord<>("classify.requests.v1", id, request.toByteArray());
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Records of this run (keys starting with {@code run}) until {@code count} arrived. */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, String run, int count) {
        return consume(topic, run, count, records -> records.size() >= count);
    }

    /** Records of this run until {@code enough} holds (within two minutes: a broker restart is part of it). */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, String run, int count,
            Predicate<List<ConsumerRecord<String, byte[]>>> enough) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(120)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key() != null && r.key().startsWith(run + "-")) {
                        records.add(r);
                    }
                });
                return enough.test(records);
            });
        }
        return records;
    }
}
