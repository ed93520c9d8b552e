package io.copeplatform.testkit.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.copeplatform.testkit.EmbeddedPostgresServer;
import io.copeplatform.testkit.KafkaBroker;
import io.copeplatform.testkit.ServiceProcess;
import io.copeplatform.testkit.model.TinyModel;

/**
 * Runs the platform locally on its embedded defaults: a real PostgreSQL and a single-node Kafka whose data persist in a
 * local folder, then the services. Prints where everything is; Ctrl-C stops everything in reverse order.
 */
public final class LocalPlatform {

    private final LauncherOptions options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    LocalPlatform(LauncherOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws InterruptedException {
        // Embedded PostgreSQL narrates every step at INFO; the launcher prints its own summary instead.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(LauncherOptions.USAGE);
            return;
        }
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LocalPlatform platform = new LocalPlatform(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.stop();
            stopped.countDown();
        }, "cope-local-stop"));
        try {
            platform.start();
        } catch (RuntimeException e) {
            System.err.println("Start failed: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    void start() {
        log("data dir: " + options.dataDir());
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer
                .startPersistent(options.dataDir().resolve("postgres"), options.postgresPort());
        started.push(postgres);
        log("PostgreSQL  jdbc:postgresql://localhost:" + postgres.port() + "/postgres  (user "
                + EmbeddedPostgresServer.USER + ")");

        KafkaBroker kafka = KafkaBroker.startPersistent(options.dataDir().resolve("kafka"), options.kafkaPort(),
                options.kafkaControllerPort());
        started.push(kafka);
        log("Kafka       bootstrap.servers=" + kafka.bootstrapServers());

        String registryDb = "registry";
        postgres.createDatabaseIfMissing(registryDb);
        ServiceProcess registry = ServiceProcess.start("policy-registry",
                Path.of("policy-registry/target/quarkus-app/quarkus-run.jar"), options.registryPort(),
                Map.of("REGISTRY_DB_REACTIVE_URL", "postgresql://localhost:" + postgres.port() + "/" + registryDb,
                        "REGISTRY_DB_JDBC_URL", postgres.jdbcUrl(registryDb),
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "REGISTRY_LOG_JSON", "false"),
                options.dataDir().resolve("logs"));
        started.push(registry);
        log("policy-registry  " + registry.baseUrl() + "  (gRPC and REST; OpenAPI at /q/openapi, log in "
                + options.dataDir().resolve("logs") + ")");
        try {
            List<String> seeded = ExamplePolicies.seed(registry.baseUrl(),
                    Path.of("policy-registry/src/main/resources/examples"));
            if (!seeded.isEmpty()) {
                log("seeded example policies (published and live): " + String.join(", ", seeded));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not seed the example policies", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }

        Path modelDir = options.modelDir() != null ? options.modelDir() : tinyTestModel();
        ServiceProcess inference = ServiceProcess.start("inference-service",
                Path.of("inference-service/target/quarkus-app/quarkus-run.jar"), options.inferencePort(),
                Map.of("COPE_MODEL_DIR", modelDir.toString(),
                        "REGISTRY_HOST", "localhost",
                        "REGISTRY_PORT", String.valueOf(registry.port()),
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "INFERENCE_LOG_JSON", "false"),
                options.dataDir().resolve("logs"));
        started.push(inference);
        log("inference-service  " + inference.baseUrl() + "  (gRPC; model " + modelDir
                + (options.modelDir() == null ? ", the tiny TEST model: answers are meaningless" : "") + ")");

        String reviewDb = "review";
        postgres.createDatabaseIfMissing(reviewDb);
        ServiceProcess review = ServiceProcess.start("review-service",
                Path.of("review-service/target/quarkus-app/quarkus-run.jar"), options.reviewPort(),
                Map.of("REVIEW_DB_JDBC_URL", postgres.jdbcUrl(reviewDb),
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "REVIEW_LOG_JSON", "false",
                        // The "local" profile defines the built-in console users listed below (never in production).
                        "QUARKUS_PROFILE", "prod,local"),
                options.dataDir().resolve("logs"));
        started.push(review);
        log("review-service  " + review.baseUrl() + "  (gRPC review queue, HTTP Basic with the users below)");
        log("  web console  " + review.baseUrl() + "/console  users (password = name): ann, bob (reviewer), "
                + "lena (lead), adam (admin)");

        String labelingDb = "labeling";
        postgres.createDatabaseIfMissing(labelingDb);
        ServiceProcess labeling = ServiceProcess.start("labeling-service",
                Path.of("labeling-service/target/quarkus-app/quarkus-run.jar"), options.labelingPort(),
                labelingEnv(postgres.jdbcUrl(labelingDb), kafka.bootstrapServers(), registry.port(), inference.port()),
                options.dataDir().resolve("logs"));
        started.push(labeling);
        log("labeling-service  " + labeling.baseUrl() + "  (gRPC + REST; CoPE labeler = the local inference-service, "
                + "LLM " + System.getenv().getOrDefault("LABELING_LLM_BASE_URL", "http://localhost:11434/v1")
                + " — set LABELING_LLM_BASE_URL / LABELING_LLM_MODEL / LABELING_LLM_API_KEY)");

        log("ready. Press Ctrl-C to stop.");
    }

    /** labeling-service's environment: local services, plus the LLM settings passed through from ours. */
    static Map<String, String> labelingEnv(String jdbcUrl, String kafka, int registryPort, int inferencePort) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("LABELING_DB_JDBC_URL", jdbcUrl,
                "KAFKA_BOOTSTRAP_SERVERS", kafka,
                "REGISTRY_HOST", "localhost",
                "REGISTRY_PORT", String.valueOf(registryPort),
                "INFERENCE_HOST", "localhost",
                "INFERENCE_PORT", String.valueOf(inferencePort),
                "LABELING_LOG_JSON", "false"));
        for (String key : List.of("LABELING_LLM_BASE_URL", "LABELING_LLM_MODEL", "LABELING_LLM_API_KEY")) {
            String value = System.getenv(key);
            if (value != null && !value.isBlank()) {
                env.put(key, value);
            }
        }
        return env;
    }

    /** The project's tiny test model, regenerated (deterministically) into the data dir. */
    private Path tinyTestModel() {
        Path dir = options.dataDir().resolve("models").resolve("cope-tiny-test-kv");
        try {
            return TinyModel.write(dir, TinyModel.Variant.KV);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the tiny test model to " + dir, e);
        }
    }

    synchronized void stop() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("[cope-local] error while stopping " + component + ": " + e);
            }
        }
        log("stopped.");
    }

    private static void log(String message) {
        System.out.println("[cope-local] " + message);
    }
}
