package io.copeplatform.inference.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.copeplatform.testkit.TempDirectories;
import io.copeplatform.testkit.model.TinyModel;

/** The project's tiny test model, generated once per test JVM into a temp dir (both variants). */
final class TinyBundles {

    private static Path root;

    private TinyBundles() {
    }

    static synchronized Path kv() {
        return root().resolve("kv");
    }

    static synchronized Path noKv() {
        return root().resolve("nokv");
    }

    private static Path root() {
        if (root == null) {
            try {
                root = TempDirectories.createDeletedOnExit("cope-tiny-model-");
                TinyModel.write(root.resolve("kv"), TinyModel.Variant.KV);
                TinyModel.write(root.resolve("nokv"), TinyModel.Variant.NO_KV);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }
}
