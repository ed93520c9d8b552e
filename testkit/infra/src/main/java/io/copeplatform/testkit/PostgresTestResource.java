package io.copeplatform.testkit;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a Quarkus application under test at the JVM-wide embedded PostgreSQL (both the reactive and the JDBC URL, the
 * latter for Flyway). Use with {@code @QuarkusTestResource(value = PostgresTestResource.class,
 * restrictToAnnotatedClass = false)}.
 * <p>
 * Init arg {@code database} (default {@code postgres}) names the database to use; it is created if missing.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "postgres";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        postgres.createDatabaseIfMissing(database);
        return Map.of(
                "quarkus.datasource.db-kind", "postgresql",
                "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                "quarkus.datasource.password", EmbeddedPostgresServer.PASSWORD,
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(database),
                "quarkus.datasource.reactive.url", postgres.reactiveUrl(database),
                "quarkus.datasource.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // Shared by the whole test JVM; SharedInfrastructure stops it at JVM exit.
    }
}
