package io.copeplatform.testkit.model;

import static io.copeplatform.testkit.model.TinyArchitecture.ATTN_LOGIT_SOFTCAP;
import static io.copeplatform.testkit.model.TinyArchitecture.FINAL_LOGIT_SOFTCAP;
import static io.copeplatform.testkit.model.TinyArchitecture.HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.HEAD_DIM;
import static io.copeplatform.testkit.model.TinyArchitecture.HIDDEN;
import static io.copeplatform.testkit.model.TinyArchitecture.KV_HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.LAYERS;
import static io.copeplatform.testkit.model.TinyArchitecture.MAX_CONTEXT_TOKENS;
import static io.copeplatform.testkit.model.TinyArchitecture.SLIDING_WINDOW;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.onnx.proto.OnnxMl.ModelProto;

/**
 * Writes the tiny CoPE test model bundle: {@code cope-model.json}, {@code model.onnx} and {@code tokenizer.json} in the
 * layout of docs/model-bundle.md.
 *
 * <p>
 * Real CoPE weights cannot be downloaded where the project builds, so tests run the real loading and scoring code on
 * this model instead: a 2-layer Gemma-2 in miniature with the Hugging Face causal-LM contract, in a variant with
 * past-key-values and one without. Its weights are random and UNTRAINED: its "1"/"0" answers are meaningless, and its
 * name ({@value #NAME}) and {@code is_test_model: true} say so. Output is deterministic (fixed seed, no timestamps), so
 * two runs write byte-identical files, and fast (under a second for the first call in a JVM, tens of milliseconds
 * after), so tests generate it instead of committing binaries:
 *
 * <pre>{@code
 * Path bundle = TinyModel.write(tempDir.resolve("kv"), TinyModel.Variant.KV);
 * }</pre>
 */
public final class TinyModel {

    /** The graph flavours of docs/model-bundle.md: one bundle each. */
    public enum Variant {
        /** Inputs {@code past_key_values.{i}.key|value}, outputs {@code present.{i}.key|value}: prefix caching. */
        KV,
        /** Only {@code input_ids}, {@code attention_mask}, {@code position_ids} in, {@code logits} out. */
        NO_KV,
        /**
         * {@link #KV} with float16 at the graph's boundary, as a float16 export has: past and present key/values and
         * logits are float16 ({@code dtype: float16}); inside, it computes in float32 (ONNX Runtime's CPU provider
         * lacks float16 kernels for several ops), so its scores equal {@link #KV}'s up to float16 rounding.
         */
        KV_FLOAT16_IO
    }

    public static final String NAME = "cope-tiny-test-gemma2";
    public static final String VERSION = "0.1.0";
    public static final String MANIFEST_FILE = "cope-model.json";
    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** The seed of every weight; changing it changes every score downstream tests may have pinned. */
    static final long SEED = 20_240_917L;

    private static final String UNTRAINED = "UNTRAINED test model: random weights (seed " + SEED
            + "), not CoPE; its labels are meaningless. Built by io.copeplatform:testkit-tiny-model " + VERSION + ".";

    private TinyModel() {
    }

    /**
     * Writes the bundle into {@code dir} (created if missing; the three files are overwritten).
     *
     * @return {@code dir}
     */
    public static Path write(Path dir, Variant variant) throws IOException {
        TinyTokenizer tokenizer = TinyTokenizer.trained();
        TinyWeights weights = TinyWeights.generate(SEED, tokenizer.vocabSize());
        boolean withPast = variant != Variant.NO_KV;
        boolean float16 = variant == Variant.KV_FLOAT16_IO;
        ModelProto model = TinyGraph.build(weights, tokenizer.vocabSize(), withPast, float16, UNTRAINED,
                JsonText.object("cope.name", NAME, "cope.is_test_model", "true"));

        Files.createDirectories(dir);
        Files.write(dir.resolve(MODEL_FILE), model.toByteArray());
        Files.writeString(dir.resolve(TOKENIZER_FILE), tokenizer.toJson(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(MANIFEST_FILE), JsonText.write(manifest(tokenizer, withPast, float16)),
                StandardCharsets.UTF_8);
        return dir;
    }

    /** Writes {@code <out-dir>/kv} and {@code <out-dir>/nokv}, e.g. for the local launcher or a manual look. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TinyModel <out-dir>   (writes <out-dir>/kv and <out-dir>/nokv)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        System.out.println(write(out.resolve("kv"), Variant.KV).toAbsolutePath());
        System.out.println(write(out.resolve("nokv"), Variant.NO_KV).toAbsolutePath());
    }

    private static Map<String, Object> manifest(TinyTokenizer tokenizer, boolean withPast, boolean float16) {
        Map<String, Object> tokenizerSection = new LinkedHashMap<>();
        tokenizerSection.put("file", TOKENIZER_FILE);
        tokenizerSection.put("add_bos", true);
        tokenizerSection.put("bos_token", TinyTokenizer.BOS);
        tokenizerSection.put("bos_token_id", TinyTokenizer.BOS_ID);
        tokenizerSection.put("eos_token", TinyTokenizer.EOS);
        tokenizerSection.put("eos_token_id", TinyTokenizer.EOS_ID);
        tokenizerSection.put("pad_token", TinyTokenizer.PAD);
        tokenizerSection.put("pad_token_id", TinyTokenizer.PAD_ID);

        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("positive_token", "1");
        labels.put("positive_token_id", tokenizer.id("1"));
        labels.put("negative_token", "0");
        labels.put("negative_token_id", tokenizer.id("0"));

        Map<String, Object> pastKeyValues = null;
        if (withPast) {
            pastKeyValues = new LinkedHashMap<>();
            pastKeyValues.put("num_layers", LAYERS);
            pastKeyValues.put("num_kv_heads", KV_HEADS);
            pastKeyValues.put("head_dim", HEAD_DIM);
            pastKeyValues.put("past_key", TinyGraph.PAST_KEY);
            pastKeyValues.put("past_value", TinyGraph.PAST_VALUE);
            pastKeyValues.put("present_key", TinyGraph.PRESENT_KEY);
            pastKeyValues.put("present_value", TinyGraph.PRESENT_VALUE);
        }
        Map<String, Object> graph = new LinkedHashMap<>();
        graph.put("file", MODEL_FILE);
        graph.put("input_ids", TinyGraph.INPUT_IDS);
        graph.put("attention_mask", TinyGraph.ATTENTION_MASK);
        graph.put("position_ids", TinyGraph.POSITION_IDS);
        graph.put("logits", TinyGraph.LOGITS);
        graph.put("logits_scope", "last_token");
        graph.put("past_key_values", pastKeyValues);

        Map<String, Object> architecture = new LinkedHashMap<>();
        architecture.put("num_layers", LAYERS);
        architecture.put("hidden_size", HIDDEN);
        architecture.put("num_attention_heads", HEADS);
        architecture.put("num_kv_heads", KV_HEADS);
        architecture.put("head_dim", HEAD_DIM);
        architecture.put("sliding_window", SLIDING_WINDOW);
        architecture.put("attn_logit_softcapping", (double) ATTN_LOGIT_SOFTCAP);
        architecture.put("final_logit_softcapping", (double) FINAL_LOGIT_SOFTCAP);

        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("base_model", "none: untrained random weights, seed " + SEED + " (labels are meaningless)");
        provenance.put("adapter", null);
        provenance.put("exporter", "io.copeplatform:testkit-tiny-model " + VERSION);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("format_version", 1);
        manifest.put("name", NAME);
        manifest.put("version", VERSION);
        manifest.put("family", "gemma2");
        manifest.put("is_test_model", true);
        manifest.put("prompt_template_id", "cope-a-v1");
        manifest.put("max_context_tokens", MAX_CONTEXT_TOKENS);
        manifest.put("vocab_size", tokenizer.vocabSize());
        manifest.put("dtype", float16 ? "float16" : "float32");
        manifest.put("tokenizer", tokenizerSection);
        manifest.put("labels", labels);
        manifest.put("graph", graph);
        manifest.put("architecture", architecture);
        manifest.put("provenance", provenance);
        return manifest;
    }
}
