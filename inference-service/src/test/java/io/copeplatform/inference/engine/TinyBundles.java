package io.copeplatform.inference.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import io.copeplatform.testkit.TempDirectories;
import io.copeplatform.testkit.model.TinyModel;

/** The project's tiny test model, generated once per test JVM into a temp dir (every variant). */
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

    /** The KV variant with float16 past/present key-values and logits, as a float16 export has. */
    static synchronized Path kvFloat16() {
        return root().resolve("kv-float16");
    }

    private static Path root() {
        if (root == null) {
            try {
                root = TempDirectories.createDeletedOnExit("cope-tiny-model-");
                TinyModel.write(root.resolve("kv"), TinyModel.Variant.KV);
                TinyModel.write(root.resolve("nokv"), TinyModel.Variant.NO_KV);
                TinyModel.write(root.resolve("kv-float16"), TinyModel.Variant.KV_FLOAT16_IO);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }
}
