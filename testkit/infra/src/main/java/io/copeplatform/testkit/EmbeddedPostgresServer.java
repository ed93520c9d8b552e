package io.copeplatform.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server from the zonky embedded binaries (no Docker, no system install). Tests use a temp data dir
 * deleted on close; the local launcher uses a persistent one.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    /** The superuser the embedded cluster is initialised with (trust authentication on localhost). */
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path dataDir;
    private final boolean deleteDataOnClose;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDir, boolean deleteDataOnClose) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.deleteDataOnClose = deleteDataOnClose;
    }

    /** Starts a server on a free port with a fresh temp data dir that {@link #close()} deletes. */
    public static EmbeddedPostgresServer startTemporary() {
        try {
            Path dir = Files.createTempDirectory("cope-pg-");
            return start(dir, 0, true, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server whose data persists in {@code dataDir} (initialised on first use); port 0 = any free port. */
    public static EmbeddedPostgresServer startPersistent(Path dataDir, int port) {
        return start(dataDir, port, false, false);
    }

    private static EmbeddedPostgresServer start(Path dataDir, int port, boolean throwaway, boolean deleteOnClose) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir.toFile())
                    .setCleanDataDirectory(throwaway)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "200");
            if (port != 0) {
                builder.setPort(port);
            }
            if (throwaway) {
                // Test data need not survive a crash: skip the fsyncs.
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            return new EmbeddedPostgresServer(builder.start(), dataDir, deleteOnClose);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL in " + dataDir, e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return postgres.getPort();
    }

    /** JDBC URL of {@code database} (e.g. for Flyway). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    /** Vert.x reactive client URL of {@code database} (for Hibernate Reactive). */
    public String reactiveUrl(String database) {
        return "postgresql://localhost:" + port() + "/" + database;
    }

    /** Creates {@code database} unless it exists. */
    public void createDatabaseIfMissing(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Not a plain database name: " + database);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            try (ResultSet rs = statement
                    .executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database, e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (deleteDataOnClose) {
                Directories.deleteRecursively(dataDir);
            }
        }
    }
}
