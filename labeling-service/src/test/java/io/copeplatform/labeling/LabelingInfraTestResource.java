package io.copeplatform.labeling;

import java.util.Map;

import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.SharedInfrastructure;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points the service under test at the real policy-registry child process, the shared Kafka and the fake LLM. The CoPE
 * labeler's inference-service address is NOT set here (test resources outrank test profiles): application.properties
 * points it at port 1 (refused, so CoPE jobs see it unavailable) and {@link RealInferenceProfile} at the real
 * {@link InferenceProcess}.
 */
@QuarkusTestResource(value = LabelingInfraTestResource.class, restrictToAnnotatedClass = false)
public class LabelingInfraTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String port = String.valueOf(RegistryProcess.get().port());
        return Map.of(
                "quarkus.grpc.clients.policy-registry.host", "localhost",
                "quarkus.grpc.clients.policy-registry.port", port,
                "quarkus.grpc.clients.policy-registry.test-port", port,
                "labeling.llm.base-url", FakeLlm.shared().baseUrl(),
                "labeling.llm.model", "fake-llm",
                "kafka.bootstrap.servers", SharedInfrastructure.kafka().bootstrapServers());
    }

    @Override
    public void stop() {
        // The registry and the fake LLM live for the test JVM.
    }
}
