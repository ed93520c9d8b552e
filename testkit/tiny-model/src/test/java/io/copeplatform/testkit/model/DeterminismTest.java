package io.copeplatform.testkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated at test time instead of committed, so it must be the same bytes every time. */
class DeterminismTest {

    private static final List<String> FILES = List.of("cope-model.json", "model.onnx", "tokenizer.json");

    @Test
    void twoRunsWriteByteIdenticalBundles(@TempDir Path dir) throws IOException {
        for (TinyModel.Variant variant : TinyModel.Variant.values()) {
            long started = System.nanoTime();
            Path first = TinyModel.write(dir.resolve("first-" + variant), variant);
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            Path second = TinyModel.write(dir.resolve("second-" + variant), variant);
            for (String file : FILES) {
                assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)),
                        variant + " " + file);
            }
            System.out.printf("TinyModel.write(%s) took %d ms%n", variant, elapsedMillis);
        }
    }

    @Test
    void mainWritesAKvAndANoKvBundle(@TempDir Path dir) throws IOException {
        TinyModel.main(new String[]{dir.toString()});
        for (String file : FILES) {
            assertTrue(Files.isRegularFile(dir.resolve("kv").resolve(file)));
            assertTrue(Files.isRegularFile(dir.resolve("nokv").resolve(file)));
        }
        assertFalse(Arrays.equals(Files.readAllBytes(dir.resolve("kv/model.onnx")),
                Files.readAllBytes(dir.resolve("nokv/model.onnx"))));
        assertArrayEquals(Files.readAllBytes(dir.resolve("kv/tokenizer.json")),
                Files.readAllBytes(dir.resolve("nokv/tokenizer.json")));
    }
}
