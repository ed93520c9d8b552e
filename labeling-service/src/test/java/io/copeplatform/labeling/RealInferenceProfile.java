package io.copeplatform.labeling;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Runs the service under test against the REAL inference-service child process ({@link InferenceProcess}). */
public class RealInferenceProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        String port = String.valueOf(InferenceProcess.get().port());
        return Map.of("quarkus.grpc.clients.inference.host", "localhost",
                "quarkus.grpc.clients.inference.port", port,
                "quarkus.grpc.clients.inference.test-port", port);
    }
}
