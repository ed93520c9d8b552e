package io.copeplatform.testkit;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a Quarkus application under test at the JVM-wide Kafka broker. Use with
 * {@code @QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)}. Tests that take
 * Kafka down and back use {@link SharedInfrastructure#kafka()} directly.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaBroker kafka = SharedInfrastructure.kafka();
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; SharedInfrastructure stops it at JVM exit.
    }
}
