package io.copeplatform.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.copeplatform.testkit.SharedInfrastructure;

/** The intake loop against a real broker: handled in order, retried after a failure, invalid records dead-lettered. */
class KafkaIntakeTest {

    private final String bootstrap = SharedInfrastructure.kafka().bootstrapServers();

    @Test
    void handlesEachRecordRetriesFailuresAndDeadLettersInvalidOnes() throws Exception {
        String topic = "intake-" + UUID.randomUUID();
        String dlq = topic + ".dlq";
        String group = topic + "-group";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            for (String value : List.of("ok-1", "bad", "flaky", "ok-2")) {
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, 0, "k", value);
                record.headers().add("ce_type", "test.v1".getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }

        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger flakyAttempts = new AtomicInteger();
        KafkaIntake.Handler handler = record -> {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            InvalidRecordException.require(!value.equals("bad"), "not a test event");
            if (value.equals("flaky") && flakyAttempts.incrementAndGet() == 1) {
                throw new IllegalStateException("database away");
            }
            handled.add(value);
        };
        KafkaIntake intake = new KafkaIntake(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new KafkaIntake.Settings("test-intake", topic, group, dlq, Duration.ofMillis(200),
                        Duration.ofMillis(50)),
                handler);
        intake.start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 3);
            assertEquals(List.of("ok-1", "flaky", "ok-2"), handled, "in order, each once, the failed one retried");
            assertEquals(2, flakyAttempts.get());
            assertEquals(1, intake.deadLettered());
        } finally {
            intake.close();
        }

        ConsumerRecord<String, String> letter = readOne(dlq);
        assertEquals("bad", letter.value());
        assertEquals("k", letter.key());
        assertEquals("not a test event", header(letter, KafkaIntake.DLQ_REASON_HEADER));
        assertEquals(topic + "/0@1", header(letter, KafkaIntake.DLQ_ORIGIN_HEADER));
        assertEquals("test.v1", header(letter, "ce_type"), "the original headers travel with it");

        try (KafkaConsumer<String, String> sameGroup = consumer(group)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            assertEquals(4, sameGroup.committed(Set.of(partition)).get(partition).offset(),
                    "every record committed: a restart starts after them");
        }
    }

    private ConsumerRecord<String, String> readOne(String topic) {
        try (KafkaConsumer<String, String> consumer = consumer("reader-" + UUID.randomUUID())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
            assertEquals(1, records.size());
            return records.get(0);
        }
    }

    private KafkaConsumer<String, String> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer());
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
