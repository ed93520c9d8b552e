package io.copeplatform.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import io.copeplatform.testkit.TempDirectories;
import io.copeplatform.testkit.model.TinyModel;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Serves the project's tiny test model (KV variant) to the application under test. */
@QuarkusTestResource(value = TinyModelTestResource.class, restrictToAnnotatedClass = false)
public class TinyModelTestResource implements QuarkusTestResourceLifecycleManager {

    private static Path bundle;

    @Override
    public synchronized Map<String, String> start() {
        if (bundle == null) {
            try {
                bundle = TinyModel.write(TempDirectories.createDeletedOnExit("cope-tiny-").resolve("kv"),
                        TinyModel.Variant.KV);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Map.of("inference.model.dir", bundle.toString(), "inference.model.device", "cpu");
    }

    @Override
    public void stop() {
        // Kept for the JVM: later Quarkus restarts reuse the same bundle.
    }
}
