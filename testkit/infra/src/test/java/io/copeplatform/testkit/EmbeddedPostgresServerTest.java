package io.copeplatform.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresServerTest {

    @Test
    void writesAndReadsARowInARealPostgres() throws SQLException {
        EmbeddedPostgresServer postgres = SharedInfrastructure.postgres();
        try (Connection connection = connect(postgres.jdbcUrl("postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE testkit_probe (id int PRIMARY KEY, note text)");
            statement.execute("INSERT INTO testkit_probe VALUES (1, 'hello')");
            try (ResultSet rs = statement.executeQuery("SELECT note, version() FROM testkit_probe WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals("hello", rs.getString(1));
                assertTrue(rs.getString(2).startsWith("PostgreSQL"), rs.getString(2));
            }
        }
    }

    @Test
    void testResourceHandsQuarkusWorkingUrlsForItsOwnDatabase() throws SQLException {
        PostgresTestResource resource = new PostgresTestResource();
        resource.init(Map.of("database", "testkit_resource_db"));
        Map<String, String> config = resource.start();

        assertEquals("postgresql://localhost:" + SharedInfrastructure.postgres().port() + "/testkit_resource_db",
                config.get("quarkus.datasource.reactive.url"));
        try (Connection connection = connect(config.get("quarkus.datasource.jdbc.url"));
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_database()")) {
            assertTrue(rs.next());
            assertEquals("testkit_resource_db", rs.getString(1));
        }
    }

    @Test
    void persistentServerKeepsDataAcrossRestarts(@TempDir Path dir) throws SQLException {
        Path dataDir = dir.resolve("pg");
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.startPersistent(dataDir, 0);
                Connection connection = connect(first.jdbcUrl("postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE kept (v text)");
            statement.execute("INSERT INTO kept VALUES ('survives')");
        }
        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.startPersistent(dataDir, 0);
                Connection connection = connect(second.jdbcUrl("postgres"));
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT v FROM kept")) {
            assertTrue(rs.next());
            assertEquals("survives", rs.getString(1));
        }
        assertTrue(Files.exists(dataDir), "a persistent data dir is never deleted");
    }

    @Test
    void temporaryServerDeletesItsDataDirOnClose() {
        Path dataDir;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startTemporary()) {
            dataDir = server.dataDir();
            assertTrue(Files.exists(dataDir));
        }
        assertFalse(Files.exists(dataDir));
    }

    private static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD);
    }
}
