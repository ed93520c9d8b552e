package io.copeplatform.testkit;

import java.nio.file.Path;
import java.util.Map;

/**
 * A REAL policy-registry for the tests of the services that call it: the reactor's own build
 * ({@code ../policy-registry/target/quarkus-app}), run as a lean child JVM on this test JVM's shared PostgreSQL (a
 * database of its own) and Kafka, one per test JVM. Tests may stop it to exercise registry outages and start it again
 * on the same port.
 */
public final class RegistryProcess {

    private static final Path JAR = Path.of("../policy-registry/target/quarkus-app/quarkus-run.jar");
    private static final String DATABASE = "registry_for_tests";
    private static ServiceProcess process;
    private static int port;

    private RegistryProcess() {
    }

    /** The running registry, started on first use (and stopped when the JVM exits). */
    public static synchronized ServiceProcess get() {
        if (process == null) {
            start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(RegistryProcess::stop, "registry-process-stop"));
        }
        return process;
    }

    public static synchronized void stop() {
        if (process != null) {
            process.close();
        }
    }

    /** Stops it and starts it again on the same port (its data stays). */
    public static synchronized void restart() {
        stop();
        start(port);
    }

    private static void start(int requestedPort) {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        postgres.createDatabaseIfMissing(DATABASE);
        process = ServiceProcess.start("policy-registry", JAR, requestedPort, Map.of(
                "REGISTRY_DB_REACTIVE_URL", postgres.reactiveUrl(DATABASE),
                "REGISTRY_DB_JDBC_URL", postgres.jdbcUrl(DATABASE),
                "KAFKA_BOOTSTRAP_SERVERS", SharedInfrastructure.kafka().bootstrapServers(),
                "REGISTRY_LOG_JSON", "false",
                "REGISTRY_OUTBOX_POLL_INTERVAL", "100ms"), Path.of("target"), ServiceProcess.LEAN_JVM);
        port = process.port();
    }
}
