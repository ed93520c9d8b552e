package io.copeplatform.testkit.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class LauncherOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        LauncherOptions options = LauncherOptions.parse(new String[0], Map.of());
        assertEquals(Path.of(".local").toAbsolutePath().normalize(), options.dataDir());
        assertEquals(55432, options.postgresPort());
        assertEquals(59092, options.kafkaPort());
        assertEquals(59093, options.kafkaControllerPort());
        assertEquals(8081, options.registryPort());
        assertEquals(8082, options.inferencePort());
        assertEquals(8084, options.reviewPort());
        assertEquals(8083, options.labelingPort());
        assertNull(options.modelDir(), "no model dir: the launcher serves the tiny test model");
    }

    @Test
    void theLabelingPortComesFromFlagOrEnvironment() {
        assertEquals(9083, LauncherOptions.parse(new String[0], Map.of("COPE_LOCAL_LABELING_PORT", "9083"))
                .labelingPort());
        assertEquals(9084, LauncherOptions.parse(new String[]{"--labeling-port", "9084"},
                Map.of("COPE_LOCAL_LABELING_PORT", "9083")).labelingPort());
    }

    @Test
    void flagsWinOverEnvironment() {
        LauncherOptions options = LauncherOptions.parse(new String[]{"--kafka-port", "1234"},
                Map.of("COPE_LOCAL_KAFKA_PORT", "999", "COPE_LOCAL_POSTGRES_PORT", "5433"));
        assertEquals(1234, options.kafkaPort());
        assertEquals(5433, options.postgresPort());
    }

    @Test
    void rejectsUnknownOptionsAndBadPortsWithUsage() {
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse(new String[]{"--nope", "1"}, Map.of()));
        assertTrue(unknown.getMessage().contains("usage:"));
        assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse(new String[]{"--postgres-port", "70000"}, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> LauncherOptions.parse(new String[]{"--data-dir"}, Map.of()));
    }
}
