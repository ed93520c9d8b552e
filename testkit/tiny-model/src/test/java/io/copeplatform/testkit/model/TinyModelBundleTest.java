package io.copeplatform.testkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.RuntimeVersion;

import io.copeplatform.testkit.model.ModelRunner.Batch;
import io.copeplatform.testkit.model.ModelRunner.Forward;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;

/** The bundle as the engine sees it: files, manifest, the session's tensors and their shapes. */
class TinyModelBundleTest {

    @TempDir
    static Path dir;
    static Path kv;
    static Path noKv;
    static ModelRunner kvModel;
    static ModelRunner noKvModel;
    static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void writeBundles() throws IOException, OrtException {
        kv = TinyModel.write(dir.resolve("kv"), TinyModel.Variant.KV);
        noKv = TinyModel.write(dir.resolve("nokv"), TinyModel.Variant.NO_KV);
        kvModel = ModelRunner.open(kv);
        noKvModel = ModelRunner.open(noKv);
        tokenizer = Prompts.tokenizer(kv);
    }

    @AfterAll
    static void close() throws OrtException {
        kvModel.close();
        noKvModel.close();
        tokenizer.close();
    }

    @Test
    void writesTheThreeFilesOfABundle() throws IOException {
        for (Path bundle : List.of(kv, noKv)) {
            for (String file : List.of("cope-model.json", "model.onnx", "tokenizer.json")) {
                assertTrue(Files.size(bundle.resolve(file)) > 0, bundle.resolve(file) + " missing or empty");
            }
        }
    }

    @Test
    void theManifestSaysItIsAnUntrainedTestModelWithTheCopeContract() throws IOException {
        JsonNode manifest = manifest(kv);
        assertEquals(1, manifest.get("format_version").asInt());
        assertEquals("cope-tiny-test-gemma2", manifest.get("name").asText());
        assertTrue(manifest.get("is_test_model").asBoolean());
        assertEquals("gemma2", manifest.get("family").asText());
        assertEquals("cope-a-v1", manifest.get("prompt_template_id").asText());
        assertEquals(8192, manifest.get("max_context_tokens").asInt());
        assertEquals(512, manifest.get("vocab_size").asInt());
        assertEquals("float32", manifest.get("dtype").asText());
        assertEquals("tokenizer.json", manifest.get("tokenizer").get("file").asText());
        assertEquals("model.onnx", manifest.get("graph").get("file").asText());
        assertEquals("last_token", manifest.get("graph").get("logits_scope").asText());
        assertTrue(manifest.get("provenance").get("base_model").asText().contains("untrained"));
        assertTrue(manifest(noKv).get("graph").get("past_key_values").isNull());
    }

    @Test
    void theManifestNamesExactlyTheTensorsOfTheSession() throws IOException, OrtException {
        for (Path bundle : List.of(kv, noKv)) {
            JsonNode graph = manifest(bundle).get("graph");
            Set<String> inputs = new HashSet<>(List.of(graph.get("input_ids").asText(),
                    graph.get("attention_mask").asText(), graph.get("position_ids").asText()));
            Set<String> outputs = new HashSet<>(List.of(graph.get("logits").asText()));
            JsonNode past = graph.get("past_key_values");
            if (!past.isNull()) {
                for (int l = 0; l < past.get("num_layers").asInt(); l++) {
                    inputs.add(past.get("past_key").asText().formatted(l));
                    inputs.add(past.get("past_value").asText().formatted(l));
                    outputs.add(past.get("present_key").asText().formatted(l));
                    outputs.add(past.get("present_value").asText().formatted(l));
                }
            }
            ModelRunner model = bundle == kv ? kvModel : noKvModel;
            assertEquals(inputs, model.session().getInputNames(), bundle.toString());
            assertEquals(outputs, model.session().getOutputNames(), bundle.toString());
        }
    }

    @Test
    void sessionTensorsHaveTheContractTypesAndDynamicDimensions() throws OrtException {
        Map<String, NodeInfo> inputs = kvModel.session().getInputInfo();
        for (String name : List.of("input_ids", "attention_mask", "position_ids")) {
            TensorInfo info = (TensorInfo) inputs.get(name).getInfo();
            assertEquals(OnnxJavaType.INT64, info.type, name);
            assertArrayEquals(new long[]{-1, -1}, info.getShape(), name);
        }
        TensorInfo pastKey = (TensorInfo) inputs.get("past_key_values.1.key").getInfo();
        assertEquals(OnnxJavaType.FLOAT, pastKey.type);
        assertArrayEquals(new long[]{-1, 2, -1, 16}, pastKey.getShape());
        TensorInfo logits = (TensorInfo) kvModel.session().getOutputInfo().get("logits").getInfo();
        assertEquals(OnnxJavaType.FLOAT, logits.type);
        assertArrayEquals(new long[]{-1, 1, 512}, logits.getShape());
        TensorInfo present = (TensorInfo) kvModel.session().getOutputInfo().get("present.0.value").getInfo();
        assertArrayEquals(new long[]{-1, 2, -1, 16}, present.getShape());
    }

    @Test
    void logitsAreOneRowPerSequenceAndPresentsSpanPastPlusCurrent() throws OrtException {
        Forward prefix = kvModel.run(Batch.single(new long[]{2, 300, 301}));
        assertArrayEquals(new long[]{1, 1, 512}, prefix.logitsShape());
        assertArrayEquals(new long[]{1, 2, 3, 16}, prefix.presentShape());

        Batch next = Batch.leftPadded(List.of(new long[]{302, 303, 304, 305, 306}, new long[]{307, 308}), 3);
        Forward forward = kvModel.run(next, prefix.presents().expand(2));
        assertArrayEquals(new long[]{2, 1, 512}, forward.logitsShape());
        assertArrayEquals(new long[]{2, 2, 8, 16}, forward.presentShape());

        Forward plain = noKvModel.run(Batch.leftPadded(List.of(new long[]{2, 300}, new long[]{2, 301, 302}), 0));
        assertArrayEquals(new long[]{2, 1, 512}, plain.logitsShape());
    }

    @Test
    void bothVariantsComputeTheSameLogits() throws OrtException {
        long[] ids = Prompts.encode(tokenizer, Prompts.cope("No spam.", "Buy now!"));
        Forward withCache = kvModel.run(Batch.single(ids));
        Forward without = noKvModel.run(Batch.single(ids));
        assertTrue(Prompts.maxAbsDiff(withCache.lastLogits()[0], without.lastLogits()[0]) < 1e-5);
    }

    /**
     * Past the 4,096-token sliding window, as ARCHITECTURE.md asks of parity checks; the cache must agree there too.
     * One session serves every pass: eager attention needs about 1.5 GB for a 5,000-token pass, which ONNX Runtime's
     * arena keeps and reuses, while a second session would have to fault in its own (slow on the build machines).
     */
    @Test
    void aPromptOfFiveThousandTokensRunsAndItsCachedPrefixGivesTheSameLogits() throws OrtException {
        String policy = Prompts.POLICY_PARAGRAPH.repeat(38);
        long[] ids = Prompts.encode(tokenizer, Prompts.cope(policy, "I will find where you live."));
        assertTrue(ids.length > 4_900 && ids.length < 5_500, "prompt has " + ids.length + " tokens");

        Forward full = kvModel.run(Batch.single(ids));
        for (float logit : full.lastLogits()[0]) {
            assertTrue(Float.isFinite(logit));
        }
        int prefixLength = ids.length - 40;
        Forward prefix = kvModel.run(Batch.single(Prompts.head(ids, prefixLength)));
        Forward suffix = kvModel.run(Batch.leftPadded(List.of(Prompts.tail(ids, prefixLength)), prefixLength),
                prefix.presents());
        double diff = Prompts.maxAbsDiff(full.lastLogits()[0], suffix.lastLogits()[0]);
        assertTrue(diff < 1e-4, "cached vs full: " + diff);
    }

    /** Guards the point of the weight scales: a model whose scores barely move would let score comparisons pass. */
    @Test
    void scoresDependOnThePolicyAndTheContent() throws OrtException, IOException {
        JsonNode labels = manifest(kv).get("labels");
        int positive = labels.get("positive_token_id").asInt();
        int negative = labels.get("negative_token_id").asInt();
        List<Double> scores = new ArrayList<>();
        for (String policy : List.of("Spam: content that asks users to click a link.", "Threats to hurt a person.",
                "Hate speech against a protected group.")) {
            for (String content : List.of("Click here to win a free phone today!", "I will find where you live.",
                    "Thank you for your help.", "The weather was nice this morning.")) {
                float[] logits = noKvModel.run(Batch.single(Prompts.encode(tokenizer, Prompts.cope(policy, content))))
                        .lastLogits()[0];
                scores.add(1 / (1 + Math.exp(logits[negative] - logits[positive])));
            }
        }
        double min = scores.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertTrue(max - min > 0.3, "scores " + scores);
        assertEquals(scores.size(), new HashSet<>(scores).size(), "every prompt scores differently: " + scores);
    }

    /** tribuo-util-onnx's classes were generated by protoc 3.25; services' classpaths carry protobuf-java 4.x. */
    @Test
    void theOnnxProtobufClassesWorkOnTheProtobuf4Runtime() throws IOException {
        assertTrue(RuntimeVersion.OSS_MAJOR >= 4, "expected the BOM's protobuf-java 4.x");
        byte[] bytes = Files.readAllBytes(kv.resolve("model.onnx"));
        ModelProto model = ModelProto.parseFrom(bytes);
        assertEquals(17, model.getOpsetImport(0).getVersion());
        assertArrayEquals(bytes, model.toByteArray());
    }

    private static JsonNode manifest(Path bundle) throws IOException {
        return new ObjectMapper().readTree(bundle.resolve(TinyModel.MANIFEST_FILE).toFile());
    }
}
