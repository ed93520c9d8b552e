package io.copeplatform.testkit;

/**
 * One PostgreSQL and one Kafka per test JVM, started on first use and shared by every test class (and every Quarkus
 * application restart) in that JVM; a shutdown hook stops them and deletes their temp dirs.
 */
public final class SharedInfrastructure {

    private static EmbeddedPostgresServer postgres;
    private static KafkaBroker kafka;

    private SharedInfrastructure() {
    }

    public static synchronized EmbeddedPostgresServer postgres() {
        if (postgres == null) {
            postgres = EmbeddedPostgresServer.startTemporary();
            EmbeddedPostgresServer started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "cope-testkit-postgres-stop"));
        }
        return postgres;
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = KafkaBroker.startTemporary();
            KafkaBroker started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "cope-testkit-kafka-stop"));
        }
        return kafka;
    }
}
