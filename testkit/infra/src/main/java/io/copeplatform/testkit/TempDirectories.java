package io.copeplatform.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temp dirs that outlive a test class but not the test JVM. */
public final class TempDirectories {

    private TempDirectories() {
    }

    /** A new temp dir, deleted with its contents when the JVM exits. */
    public static Path createDeletedOnExit(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> Directories.deleteRecursively(dir),
                    "delete-" + dir.getFileName()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
