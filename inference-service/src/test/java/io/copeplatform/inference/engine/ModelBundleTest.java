package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @Test
    void loadsTheTinyModelAndSaysItIsATestModel() {
        try (ModelBundle bundle = ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu())) {
            assertTrue(bundle.manifest().testModel());
            assertTrue(bundle.manifest().name().contains("test"), bundle.manifest().name());
            assertTrue(bundle.manifest().hasPastKeyValues());
            assertEquals(CopeATemplate.ID, bundle.encoder().template().id());
        }
    }

    /**
     * The build machines have no GPU and the default build ships the CPU-only ONNX Runtime, so CUDA cannot load here:
     * exactly the case where {@code cuda} must refuse to start and {@code auto} must fall back. (The {@code -Pcuda}
     * build on a GPU host is not exercised by this suite; see the README's "GPU".)
     */
    @Test
    void deviceCudaFailsStartUpClearlyWhenCudaCannotLoadAndAutoFallsBackToCpu() {
        ModelLoadException cuda = assertThrows(ModelLoadException.class,
                () -> ModelBundle.load(TinyBundles.kv(), new SessionSettings(SessionSettings.Mode.CUDA, 0, 0, 0)));
        assertTrue(cuda.getMessage().contains("device=cuda but the CUDA execution provider cannot load"),
                cuda.getMessage());
        assertTrue(cuda.getMessage().contains("-Pcuda"), cuda.getMessage());

        try (ModelBundle auto = ModelBundle.load(TinyBundles.kv(),
                new SessionSettings(SessionSettings.Mode.AUTO, 0, 0, 0))) {
            assertEquals(Device.CPU, auto.session().device());
            float[][] logits = auto.session().labelLogits(List.of(new long[]{2, 5, 6, 7}));
            assertEquals(2, logits[0].length, "the CPU session it fell back to scores");
        }
    }

    @Test
    void aMissingDirectoryOrManifestIsAClearError(@TempDir Path dir) {
        assertMessage(dir.resolve("nope"), "does not exist");
        assertMessage(dir, "No cope-model.json");
    }

    @Test
    void anInvalidManifestNamesTheField(@TempDir Path dir) throws IOException {
        Path copy = copyOf(TinyBundles.noKv(), dir);
        edit(copy, "\"logits_scope\" *: *\"last_token\"", "\"logits_scope\": \"middle\"");
        assertMessage(copy, "graph.logits_scope");
    }

    @Test
    void aManifestThatDisagreesWithTheGraphIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copyOf(TinyBundles.noKv(), dir);
        edit(copy, "\"attention_mask\" *: *\"attention_mask\"", "\"attention_mask\": \"mask\"");
        assertMessage(copy, "input 'mask' named by the manifest is missing");
    }

    @Test
    void aKvGraphDescribedAsPlainIsRefused(@TempDir Path dir) throws IOException {
        Path copy = copyOf(TinyBundles.kv(), dir);
        String manifest = Files.readString(copy.resolve(ModelManifest.FILE_NAME));
        int start = manifest.indexOf("\"past_key_values\"");
        int end = manifest.indexOf('}', start) + 1;
        Files.writeString(copy.resolve(ModelManifest.FILE_NAME),
                manifest.substring(0, start) + "\"past_key_values\": null" + manifest.substring(end));
        assertMessage(copy, "graph has inputs the manifest does not name");
    }

    @Test
    void wrongLabelTokenIdsAreRefused(@TempDir Path dir) throws IOException {
        Path copy = copyOf(TinyBundles.noKv(), dir);
        ModelManifest manifest = ModelManifest.read(copy);
        int positive = manifest.labels().positiveTokenId();
        long wrong = manifest.tokenizer().bosTokenId();
        edit(copy, "\"positive_token_id\" *: *" + positive, "\"positive_token_id\": " + wrong);
        assertMessage(copy, "Label token '1'");
    }

    private static void assertMessage(Path dir, String expected) {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ModelBundle.load(dir, SessionSettings.cpu()).close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static Path copyOf(Path bundle, Path into) throws IOException {
        Path copy = into.resolve("bundle");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(bundle)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static void edit(Path bundle, String regex, String replacement) throws IOException {
        Path file = bundle.resolve(ModelManifest.FILE_NAME);
        String before = Files.readString(file);
        String after = before.replaceFirst(regex, replacement);
        if (before.equals(after)) {
            throw new IllegalStateException("fixture edit matched nothing: " + regex + " in " + before);
        }
        Files.writeString(file, after);
    }
}
