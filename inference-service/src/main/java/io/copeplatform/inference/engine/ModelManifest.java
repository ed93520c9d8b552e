package io.copeplatform.inference.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The manifest of a model bundle ({@code cope-model.json}), as specified in docs/model-bundle.md. Parsed strictly
 * enough that a wrong bundle fails at load with a message naming the field, never later with a wrong score.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(
        @JsonProperty("format_version") int formatVersion,
        @JsonProperty("name") String name,
        @JsonProperty("version") String version,
        @JsonProperty("family") String family,
        @JsonProperty("is_test_model") boolean testModel,
        @JsonProperty("prompt_template_id") String promptTemplateId,
        @JsonProperty("max_context_tokens") int maxContextTokens,
        @JsonProperty("vocab_size") int vocabSize,
        @JsonProperty("dtype") String dtype,
        @JsonProperty("tokenizer") Tokenizer tokenizer,
        @JsonProperty("labels") Labels labels,
        @JsonProperty("graph") Graph graph) {

    public static final String FILE_NAME = "cope-model.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false);

    /** Tokenizer file and special tokens. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tokenizer(
            @JsonProperty("file") String file,
            @JsonProperty("add_bos") boolean addBos,
            @JsonProperty("bos_token") String bosToken,
            @JsonProperty("bos_token_id") long bosTokenId,
            @JsonProperty("eos_token_id") long eosTokenId,
            @JsonProperty("pad_token_id") long padTokenId) {
    }

    /** The single-token answers: "1" (criteria met) and "0". */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Labels(
            @JsonProperty("positive_token") String positiveToken,
            @JsonProperty("positive_token_id") int positiveTokenId,
            @JsonProperty("negative_token") String negativeToken,
            @JsonProperty("negative_token_id") int negativeTokenId) {
    }

    /** Tensor names of the graph. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Graph(
            @JsonProperty("file") String file,
            @JsonProperty("input_ids") String inputIds,
            @JsonProperty("attention_mask") String attentionMask,
            @JsonProperty("position_ids") String positionIds,
            @JsonProperty("logits") String logits,
            @JsonProperty("logits_scope") String logitsScope,
            @JsonProperty("past_key_values") PastKeyValues pastKeyValues) {

        public boolean lastTokenLogits() {
            return "last_token".equals(logitsScope);
        }
    }

    /** Cache inputs/outputs of a graph that has them. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PastKeyValues(
            @JsonProperty("num_layers") int numLayers,
            @JsonProperty("num_kv_heads") int numKvHeads,
            @JsonProperty("head_dim") int headDim,
            @JsonProperty("past_key") String pastKey,
            @JsonProperty("past_value") String pastValue,
            @JsonProperty("present_key") String presentKey,
            @JsonProperty("present_value") String presentValue) {

        public String pastKey(int layer) {
            return String.format(pastKey, layer);
        }

        public String pastValue(int layer) {
            return String.format(pastValue, layer);
        }

        public String presentKey(int layer) {
            return String.format(presentKey, layer);
        }

        public String presentValue(int layer) {
            return String.format(presentValue, layer);
        }

        /** Bytes one cached token takes: layers x kv-heads x head-dim x 2 (K and V) x bytes per element. */
        public long bytesPerToken(int bytesPerElement) {
            return (long) numLayers * numKvHeads * headDim * 2L * bytesPerElement;
        }
    }

    public boolean hasPastKeyValues() {
        return graph.pastKeyValues() != null;
    }

    public int bytesPerElement() {
        return "float16".equals(dtype) ? 2 : 4;
    }

    /** Reads and validates {@code dir/cope-model.json}. */
    public static ModelManifest read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("No " + FILE_NAME + " in " + dir + " (is this a model bundle? see "
                    + "docs/model-bundle.md)");
        }
        ModelManifest manifest;
        try {
            manifest = JSON.readValue(file.toFile(), ModelManifest.class);
        } catch (IOException e) {
            throw new ModelLoadException("Unreadable " + file + ": " + e.getMessage(), e);
        }
        manifest.validate(file);
        return manifest;
    }

    private void validate(Path file) {
        List<String> problems = new ArrayList<>();
        if (formatVersion != 1) {
            problems.add("format_version must be 1 (got " + formatVersion + ")");
        }
        require(problems, name, "name");
        require(problems, version, "version");
        require(problems, promptTemplateId, "prompt_template_id");
        if (maxContextTokens < 16) {
            problems.add("max_context_tokens must be >= 16 (got " + maxContextTokens + ")");
        }
        if (!"float32".equals(dtype) && !"float16".equals(dtype)) {
            problems.add("dtype must be float32 or float16 (got " + dtype + ")");
        }
        if (tokenizer == null) {
            problems.add("tokenizer is missing");
        } else {
            require(problems, tokenizer.file(), "tokenizer.file");
        }
        if (labels == null) {
            problems.add("labels is missing");
        } else if (labels.positiveTokenId() == labels.negativeTokenId()) {
            problems.add("labels.positive_token_id and labels.negative_token_id must differ");
        }
        if (graph == null) {
            problems.add("graph is missing");
        } else {
            require(problems, graph.file(), "graph.file");
            require(problems, graph.inputIds(), "graph.input_ids");
            require(problems, graph.attentionMask(), "graph.attention_mask");
            require(problems, graph.logits(), "graph.logits");
            if (!"last_token".equals(graph.logitsScope()) && !"full".equals(graph.logitsScope())) {
                problems.add("graph.logits_scope must be last_token or full (got " + graph.logitsScope() + ")");
            }
            if (graph.positionIds() == null && graph.pastKeyValues() != null) {
                problems.add("graph.position_ids is required when the graph has past_key_values");
            }
        }
        if (labels != null && vocabSize > 0
                && (labels.positiveTokenId() >= vocabSize || labels.negativeTokenId() >= vocabSize)) {
            problems.add("label token ids must be < vocab_size " + vocabSize);
        }
        if (!problems.isEmpty()) {
            throw new ModelLoadException("Invalid " + file + ": " + String.join("; ", problems));
        }
    }

    private static void require(List<String> problems, String value, String field) {
        if (value == null || value.isBlank()) {
            problems.add(field + " is missing");
        }
    }
}
