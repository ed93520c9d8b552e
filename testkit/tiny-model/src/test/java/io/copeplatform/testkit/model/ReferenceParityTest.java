package io.copeplatform.testkit.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.copeplatform.testkit.model.ModelRunner.Batch;
import io.copeplatform.testkit.model.ModelRunner.Forward;
import io.copeplatform.testkit.model.ModelRunner.Past;
import io.copeplatform.testkit.model.ReferenceForward.Cache;
import io.copeplatform.testkit.model.ReferenceForward.Output;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;

/** ONNX Runtime on the generated graph against {@link ReferenceForward}, the plain-Java Gemma-2 forward pass. */
class ReferenceParityTest {

    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;
    static ModelRunner kvModel;
    static ModelRunner noKvModel;
    static ReferenceForward reference;
    static HuggingFaceTokenizer tokenizer;

    @BeforeAll
    static void writeBundles() throws IOException, OrtException {
        Path kv = TinyModel.write(dir.resolve("kv"), TinyModel.Variant.KV);
        kvModel = ModelRunner.open(kv);
        noKvModel = ModelRunner.open(TinyModel.write(dir.resolve("nokv"), TinyModel.Variant.NO_KV));
        reference = ReferenceForward.load(kv);
        tokenizer = Prompts.tokenizer(kv);
    }

    @AfterAll
    static void close() throws OrtException {
        kvModel.close();
        noKvModel.close();
        tokenizer.close();
    }

    @Test
    void lastTokenLogitsEqualTheReferenceForwardPass() throws OrtException {
        for (String content : List.of("Hi", "Click here to win a free phone today! 😀",
                "You are the worst person I have ever met and everyone hates you.")) {
            long[] ids = Prompts.encode(tokenizer,
                    Prompts.cope("Spam: content that asks users to click a link.", content));
            double[] expected = reference.run(ids, Prompts.range(0, ids.length)).lastLogits();
            for (ModelRunner model : List.of(kvModel, noKvModel)) {
                double diff = Prompts.maxAbsDiff(model.run(Batch.single(ids)).lastLogits()[0], expected);
                assertTrue(diff < TOLERANCE, content + ": max |ORT - reference| = " + diff);
            }
        }
    }

    @Test
    void presentsEqualTheReferenceKeysAndValues() throws OrtException {
        long[] ids = Prompts.encode(tokenizer, Prompts.cope("Threats to hurt a person.", "See you tomorrow."));
        Cache expected = reference.run(ids, Prompts.range(0, ids.length)).presents();
        Past presents = kvModel.run(Batch.single(ids)).presents();
        for (int l = 0; l < ModelRunner.LAYERS; l++) {
            assertTrue(maxAbsDiff(presents.keys()[l], expected.keys()[l]) < TOLERANCE, "keys of layer " + l);
            assertTrue(maxAbsDiff(presents.values()[l], expected.values()[l]) < TOLERANCE, "values of layer " + l);
        }
    }

    /**
     * A past that fills the context up to 8,192 tokens: RoPE at the highest positions, and the sliding window of layer
     * 0 hiding the oldest keys. The past is random: any tensor is a valid past, and the reference costs only S x T
     * here.
     */
    @Test
    void atTheEndOfTheMaximumContextTheSlidingWindowAndRopeMatchTheReference() throws OrtException {
        int pastLength = 8_180;
        long[] ids = {300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311};
        Random random = new Random(7);
        float[][] keys = new float[ModelRunner.LAYERS][];
        float[][] values = new float[ModelRunner.LAYERS][];
        for (int l = 0; l < ModelRunner.LAYERS; l++) {
            keys[l] = gaussian(random, ModelRunner.KV_HEADS * pastLength * ModelRunner.HEAD_DIM);
            values[l] = gaussian(random, ModelRunner.KV_HEADS * pastLength * ModelRunner.HEAD_DIM);
        }
        Past past = new Past(1, pastLength, keys, values);
        Batch batch = Batch.leftPadded(List.of(ids), pastLength);
        Forward forward = kvModel.run(batch, past);

        Cache referencePast = toCache(past);
        Output windowed = reference.run(ids, batch.mask(), batch.positions(), referencePast, reference.slidingWindow());
        double diff = Prompts.maxAbsDiff(forward.lastLogits()[0], windowed.lastLogits());
        assertTrue(diff < TOLERANCE, "max |ORT - reference| = " + diff);

        Output unwindowed = reference.run(ids, batch.mask(), batch.positions(), referencePast, Integer.MAX_VALUE);
        double windowEffect = Prompts.maxAbsDiff(forward.lastLogits()[0], unwindowed.lastLogits());
        assertTrue(windowEffect > 1e-2, "the sliding window should change the logits, changed " + windowEffect);
    }

    private static float[] gaussian(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static Cache toCache(Past past) {
        double[][][][] keys = new double[ModelRunner.LAYERS][][][];
        double[][][][] values = new double[ModelRunner.LAYERS][][][];
        for (int l = 0; l < ModelRunner.LAYERS; l++) {
            keys[l] = unflatten(past.keys()[l], past.length());
            values[l] = unflatten(past.values()[l], past.length());
        }
        return new Cache(keys, values);
    }

    private static double[][][] unflatten(float[] flat, int length) {
        double[][][] out = new double[ModelRunner.KV_HEADS][length][ModelRunner.HEAD_DIM];
        for (int h = 0; h < ModelRunner.KV_HEADS; h++) {
            for (int t = 0; t < length; t++) {
                for (int d = 0; d < ModelRunner.HEAD_DIM; d++) {
                    out[h][t][d] = flat[(h * length + t) * ModelRunner.HEAD_DIM + d];
                }
            }
        }
        return out;
    }

    private static double maxAbsDiff(float[] flat, double[][][] expected) {
        int length = expected[0].length;
        double max = 0;
        for (int h = 0; h < ModelRunner.KV_HEADS; h++) {
            for (int t = 0; t < length; t++) {
                for (int d = 0; d < ModelRunner.HEAD_DIM; d++) {
                    max = Math.max(max,
                            Math.abs(flat[(h * length + t) * ModelRunner.HEAD_DIM + d] - expected[h][t][d]));
                }
            }
        }
        return max;
    }
}
