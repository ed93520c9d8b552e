package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

class CausalLmSessionTest {

    private static final String[] CONTENTS = {"Buy cheap watches now!!!", "I disagree with your argument.",
            "You are an idiot and everyone hates you", "ok"};

    @ParameterizedTest
    @ValueSource(strings = {"kv", "nokv"})
    void scoreIsTheSoftmaxOfTheTwoLabelLogitsReadDirectlyFromOnnxRuntime(String variant) throws Exception {
        Path dir = variant.equals("kv") ? TinyBundles.kv() : TinyBundles.noKv();
        try (ModelBundle bundle = ModelBundle.load(dir, SessionSettings.cpu())) {
            long[] prompt = bundle.encoder().encode("No insults.", CONTENTS[2], false).ids();
            float[] direct = lastLogitsDirectly(dir, bundle.manifest(), prompt);
            int positive = bundle.manifest().labels().positiveTokenId();
            int negative = bundle.manifest().labels().negativeTokenId();
            double expected = Math.exp(direct[positive]) / (Math.exp(direct[positive]) + Math.exp(direct[negative]));

            float[] labels = bundle.session().labelLogits(List.of(prompt))[0];
            LabelScore score = LabelScore.of(labels[0], labels[1]);
            assertEquals(direct[positive], labels[0], 1e-6);
            assertEquals(direct[negative], labels[1], 1e-6);
            assertEquals(expected, score.score(), 1e-9);
            assertEquals(Device.CPU, bundle.session().device());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kv", "nokv"})
    void aBatchedRunScoresEveryPromptExactlyAsItsRunAlone(String variant) {
        Path dir = variant.equals("kv") ? TinyBundles.kv() : TinyBundles.noKv();
        try (ModelBundle bundle = ModelBundle.load(dir, SessionSettings.cpu())) {
            List<long[]> prompts = new ArrayList<>();
            for (String content : CONTENTS) {
                prompts.add(bundle.encoder().encode("Spam policy: no unsolicited ads.", content, false).ids());
            }
            assertNotEquals(prompts.get(0).length, prompts.get(3).length, "the batch needs padding");
            float[][] batched = bundle.session().labelLogits(prompts);
            List<Double> scores = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                float[] alone = bundle.session().labelLogits(List.of(prompts.get(i)))[0];
                double batchedScore = LabelScore.of(batched[i][0], batched[i][1]).score();
                double aloneScore = LabelScore.of(alone[0], alone[1]).score();
                assertEquals(aloneScore, batchedScore, 1e-4, "row " + i);
                scores.add(aloneScore);
            }
            assertTrue(scores.stream().distinct().count() > 1, "the test model must not be constant: " + scores);
        }
    }

    /** The full last-position logits, from a plain ONNX Runtime session of the test's own. */
    private static float[] lastLogitsDirectly(Path dir, ModelManifest manifest, long[] prompt) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(dir.resolve("model.onnx").toString())) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] shape = {1, prompt.length};
            long[] mask = new long[prompt.length];
            long[] positions = new long[prompt.length];
            for (int i = 0; i < prompt.length; i++) {
                mask[i] = 1;
                positions[i] = i;
            }
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(prompt), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            inputs.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(positions), shape));
            if (manifest.hasPastKeyValues()) {
                var past = manifest.graph().pastKeyValues();
                long[] empty = {1, past.numKvHeads(), 0, past.headDim()};
                for (int layer = 0; layer < past.numLayers(); layer++) {
                    inputs.put("past_key_values." + layer + ".key",
                            OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
                    inputs.put("past_key_values." + layer + ".value",
                            OnnxTensor.createTensor(env, FloatBuffer.allocate(0), empty));
                }
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
                FloatBuffer values = logits.getFloatBuffer();
                long[] logitShape = logits.getInfo().getShape();
                int vocab = (int) logitShape[2];
                float[] last = new float[vocab];
                int base = (int) ((logitShape[1] - 1) * vocab);
                for (int v = 0; v < vocab; v++) {
                    last[v] = values.get(base + v);
                }
                return last;
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }
}
