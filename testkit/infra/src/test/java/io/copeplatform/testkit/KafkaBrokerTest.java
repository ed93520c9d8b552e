package io.copeplatform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void producesAndConsumesARecordThroughARealBroker() throws Exception {
        KafkaBroker kafka = SharedInfrastructure.kafka();
        String topic = "testkit-probe-" + UUID.randomUUID();

        produce(kafka.bootstrapServers(), topic, "key-1", "hello kafka");

        List<ConsumerRecord<String, String>> records = consumeAtLeast(kafka.bootstrapServers(), topic, 1);
        assertEquals("key-1", records.get(0).key());
        assertEquals("hello kafka", records.get(0).value());
    }

    @Test
    void testResourceHandsQuarkusTheBootstrapServers() {
        Map<String, String> config = new KafkaTestResource().start();
        assertEquals(SharedInfrastructure.kafka().bootstrapServers(), config.get("kafka.bootstrap.servers"));
    }

    @Test
    void restartedBrokerKeepsItsAddressAndItsRecords() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.startTemporary()) {
            String bootstrap = kafka.bootstrapServers();
            produce(bootstrap, "kept", "k", "before restart");

            kafka.stop();
            assertFalse(kafka.isRunning(), "closing the child's stdin stops the broker JVM");
            kafka.start();

            assertEquals(bootstrap, kafka.bootstrapServers());
            produce(bootstrap, "kept", "k", "after restart");
            List<String> values = consumeAtLeast(bootstrap, "kept", 2).stream().map(ConsumerRecord::value).toList();
            assertEquals(List.of("before restart", "after restart"), values);
        }
    }

    @Test
    void temporaryBrokerDeletesItsDataDirOnClose() {
        Path dataDir;
        try (KafkaBroker kafka = KafkaBroker.startTemporary()) {
            dataDir = kafka.dataDir();
            assertTrue(kafka.isRunning());
        }
        assertFalse(Files.exists(dataDir));
    }

    private static void produce(String bootstrap, String topic, String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAtLeast(String bootstrap, String topic, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "testkit-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }
}
