package io.copeplatform.inference;

import java.util.Map;

import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points the service under test at the real policy-registry child process and the shared Kafka. */
@QuarkusTestResource(value = RegistryTestResource.class, restrictToAnnotatedClass = false)
public class RegistryTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String port = String.valueOf(RegistryProcess.get().port());
        // Live before the service starts: the service must pin it at start-up (PrefixPinningTest).
        RegistryRest.ensureLive(PrefixPinningTest.LIVE_AT_STARTUP, RegistryRest.policy("Seeded before start-up.\n"));
        return Map.of(
                "quarkus.grpc.clients.policy-registry.host", "localhost",
                "quarkus.grpc.clients.policy-registry.port", port,
                "quarkus.grpc.clients.policy-registry.test-port", port,
                "kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // One registry per test JVM; RegistryProcess stops it at JVM exit.
    }
}
