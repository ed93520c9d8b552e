package io.copeplatform.inference.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A loaded model bundle (docs/model-bundle.md): manifest, tokenizer, prompt template and ONNX Runtime session, checked
 * against each other at load. Everything that could make a score silently wrong fails here instead.
 */
public final class ModelBundle implements AutoCloseable {

    private final Path directory;
    private final ModelManifest manifest;
    private final PromptTokenizer tokenizer;
    private final PromptEncoder encoder;
    private final CausalLmSession session;

    private ModelBundle(Path directory, ModelManifest manifest, PromptTokenizer tokenizer, PromptEncoder encoder,
            CausalLmSession session) {
        this.directory = directory;
        this.manifest = manifest;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.session = session;
    }

    public static ModelBundle load(Path directory, SessionSettings settings) {
        if (!Files.isDirectory(directory)) {
            throw new ModelLoadException("Model directory " + directory + " does not exist");
        }
        ModelManifest manifest = ModelManifest.read(directory);
        PromptTemplate template = PromptTemplates.byId(manifest.promptTemplateId());
        Path graph = requireFile(directory, manifest.graph().file(), "graph.file");
        Path tokenizerFile = requireFile(directory, manifest.tokenizer().file(), "tokenizer.file");
        PromptTokenizer tokenizer = PromptTokenizer.load(tokenizerFile);
        try {
            checkLabelTokens(tokenizer, manifest);
            CausalLmSession session = CausalLmSession.open(graph, manifest, settings);
            return new ModelBundle(directory, manifest, tokenizer, new PromptEncoder(tokenizer, template, manifest),
                    session);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** "1" and "0" must each be ONE token with the manifest's ids, or scores would read the wrong logits. */
    private static void checkLabelTokens(PromptTokenizer tokenizer, ModelManifest manifest) {
        ModelManifest.Labels labels = manifest.labels();
        check(tokenizer, labels.positiveToken(), labels.positiveTokenId());
        check(tokenizer, labels.negativeToken(), labels.negativeTokenId());
    }

    private static void check(PromptTokenizer tokenizer, String token, int expectedId) {
        long[] ids = tokenizer.encode(token);
        if (ids.length != 1 || ids[0] != expectedId) {
            throw new ModelLoadException("Label token '" + token + "' tokenizes to " + Arrays.toString(ids)
                    + ", but the manifest says it is the single token " + expectedId);
        }
    }

    private static Path requireFile(Path directory, String name, String field) {
        Path file = directory.resolve(name).normalize();
        if (!file.startsWith(directory.normalize()) || !Files.isRegularFile(file)) {
            throw new ModelLoadException(field + " '" + name + "' is not a file in " + directory);
        }
        return file;
    }

    public Path directory() {
        return directory;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public PromptTokenizer tokenizer() {
        return tokenizer;
    }

    public PromptEncoder encoder() {
        return encoder;
    }

    public CausalLmSession session() {
        return session;
    }

    @Override
    public void close() {
        session.close();
        tokenizer.close();
    }
}
