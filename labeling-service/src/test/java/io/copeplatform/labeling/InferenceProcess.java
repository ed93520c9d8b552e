package io.copeplatform.labeling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.ServiceProcess;
import io.copeplatform.testkit.SharedInfrastructure;
import io.copeplatform.testkit.TempDirectories;
import io.copeplatform.testkit.model.TinyModel;

/**
 * A REAL inference-service (the reactor's own build, run as a child JVM) serving the project's tiny TEST model, one per
 * test JVM, resolving policies in the {@link RegistryProcess}. Its port is chosen once, so it can be stopped (CoPE
 * outage tests) and started again where the service under test expects it.
 */
public final class InferenceProcess {

    private static final Path JAR = Path.of("../inference-service/target/quarkus-app/quarkus-run.jar");
    /** The test model's manifest name: what every CoPE answer in these tests must be attributed to. */
    public static final String TEST_MODEL_NAME = TinyModel.NAME;

    private static ServiceProcess process;
    private static int port;
    private static Path modelDir;

    private InferenceProcess() {
    }

    /** The port the service listens on (or will, once started); chosen on first use. */
    public static synchronized int port() {
        if (port == 0) {
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return port;
    }

    /** The running service, started (and its model written) on first use. */
    public static synchronized ServiceProcess get() {
        if (process == null || !process.isAlive()) {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " not found: build inference-service first "
                        + "(./mvnw -B -ntp install -DskipTests -pl inference-service -am)");
            }
            if (process == null) {
                Runtime.getRuntime().addShutdownHook(new Thread(InferenceProcess::stop, "inference-process-stop"));
            }
            process = ServiceProcess.start("inference-service", JAR, port(), Map.of(
                    "COPE_MODEL_DIR", model().toString(),
                    "REGISTRY_HOST", "localhost",
                    "REGISTRY_PORT", String.valueOf(RegistryProcess.get().port()),
                    "KAFKA_BOOTSTRAP_SERVERS", SharedInfrastructure.kafka().bootstrapServers(),
                    // Nothing here classifies through Kafka; one ONNX thread keeps the two cores for the tests.
                    "INFERENCE_KAFKA_ENABLED", "false",
                    "INFERENCE_MODEL_INTRA_OP_THREADS", "1",
                    "INFERENCE_MODEL_INTER_OP_THREADS", "1",
                    "INFERENCE_PREFIX_CACHE_MAX_BYTES", "64M",
                    "INFERENCE_LOG_JSON", "false"), Path.of("target"), ServiceProcess.LEAN_JVM);
        }
        return process;
    }

    /** Stops the service (an inference outage); {@link #get()} starts it again on the same port. */
    public static synchronized void stop() {
        if (process != null) {
            process.close();
        }
    }

    private static Path model() {
        if (modelDir == null) {
            try {
                modelDir = TinyModel.write(TempDirectories.createDeletedOnExit("labeling-tiny-model-").resolve("kv"),
                        TinyModel.Variant.KV);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the tiny test model", e);
            }
        }
        return modelDir;
    }
}
