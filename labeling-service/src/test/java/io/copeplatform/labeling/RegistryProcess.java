package io.copeplatform.labeling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.copeplatform.testkit.EmbeddedPostgresServer;
import io.copeplatform.testkit.ServiceProcess;
import io.copeplatform.testkit.SharedInfrastructure;

/**
 * A REAL policy-registry (the reactor's own build, run as a child JVM on the shared PostgreSQL and Kafka), one per test
 * JVM. Tests may stop it to exercise registry outages and start it again on the same port.
 */
public final class RegistryProcess {

    private static final Path JAR = Path.of("../policy-registry/target/quarkus-app/quarkus-run.jar");
    private static ServiceProcess process;
    private static int port;

    private RegistryProcess() {
    }

    public static synchronized ServiceProcess get() {
        if (process == null) {
            if (!Files.isRegularFile(JAR)) {
                throw new IllegalStateException(JAR.toAbsolutePath() + " not found: build policy-registry first "
                        + "(./mvnw -B -ntp install -DskipTests -pl policy-registry -am)");
            }
            start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(RegistryProcess::stop, "registry-process-stop"));
        }
        return process;
    }

    static synchronized void stop() {
        if (process != null) {
            process.close();
        }
    }

    static synchronized void restart() {
        stop();
        start(port);
    }

    private static void start(int requestedPort) {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        postgres.createDatabaseIfMissing("registry_for_labeling");
        process = ServiceProcess.start("policy-registry", JAR, requestedPort, Map.of(
                "REGISTRY_DB_REACTIVE_URL", postgres.reactiveUrl("registry_for_labeling"),
                "REGISTRY_DB_JDBC_URL", postgres.jdbcUrl("registry_for_labeling"),
                "KAFKA_BOOTSTRAP_SERVERS", SharedInfrastructure.kafka().bootstrapServers(),
                "REGISTRY_LOG_JSON", "false",
                "REGISTRY_OUTBOX_POLL_INTERVAL", "100ms"), Path.of("target"), InferenceProcess.LEAN_JVM);
        port = process.port();
    }
}
