package io.copeplatform.testkit.model;

import static io.copeplatform.testkit.model.TinyArchitecture.HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.HEAD_DIM;
import static io.copeplatform.testkit.model.TinyArchitecture.HIDDEN;
import static io.copeplatform.testkit.model.TinyArchitecture.INTERMEDIATE;
import static io.copeplatform.testkit.model.TinyArchitecture.KV_HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.LAYERS;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The tiny model's parameters: random, untrained, drawn from a fixed seed.
 *
 * <p>
 * Names follow Hugging Face's Gemma-2 checkpoint names. Projections are stored {@code [in, out]} for ONNX MatMul, the
 * transpose of PyTorch's {@code Linear} layout, hence the {@code .T} suffix. Norm weights are small random offsets
 * around 0, since Gemma-2's RMSNorm multiplies by {@code (1 + w)}.
 *
 * <p>
 * The scales are chosen so that scores depend on the input: every CoPE prompt ends with the same template tail, so if
 * the last position's own embedding dominated its state, all prompts would score alike and tests comparing scores would
 * pass on a near-constant model. Embeddings are small (std 0.1, times {@code sqrt(64)} = 0.8 RMS) next to the
 * normalized attention outputs (about 1 RMS each), and the attention projections have a gain of 2 so attention is
 * content-dependent rather than uniform. Measured on a grid of 5 policies x 12 contents: scores from 0.14 to 0.97,
 * {@code logit("1") - logit("0")} with mean 0.07 and standard deviation 1.2.
 */
final class TinyWeights {

    /** A named tensor: dimensions and row-major values. */
    record Tensor(long[] dims, float[] values) {
    }

    static final String EMBED_TOKENS = "model.embed_tokens.weight";
    static final String FINAL_NORM = "model.norm.weight";

    private static final float EMBED_STD = 0.1f;
    private static final float ATTENTION_GAIN = 2.0f;
    private static final float MLP_GAIN = 1.0f;
    private static final float NORM_OFFSET = 0.1f;

    private final Map<String, Tensor> tensors;

    private TinyWeights(Map<String, Tensor> tensors) {
        this.tensors = tensors;
    }

    static String layer(int layer, String name) {
        return "model.layers." + layer + "." + name;
    }

    static TinyWeights generate(long seed, int vocabSize) {
        Random random = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put(EMBED_TOKENS, uniform(random, EMBED_STD, vocabSize, HIDDEN));
        for (int l = 0; l < LAYERS; l++) {
            tensors.put(layer(l, "input_layernorm.weight"), uniform(random, NORM_OFFSET, HIDDEN));
            tensors.put(layer(l, "self_attn.q_proj.weight.T"),
                    projection(random, ATTENTION_GAIN, HIDDEN, HEADS * HEAD_DIM));
            tensors.put(layer(l, "self_attn.k_proj.weight.T"),
                    projection(random, ATTENTION_GAIN, HIDDEN, KV_HEADS * HEAD_DIM));
            tensors.put(layer(l, "self_attn.v_proj.weight.T"),
                    projection(random, ATTENTION_GAIN, HIDDEN, KV_HEADS * HEAD_DIM));
            tensors.put(layer(l, "self_attn.o_proj.weight.T"),
                    projection(random, ATTENTION_GAIN, HEADS * HEAD_DIM, HIDDEN));
            tensors.put(layer(l, "post_attention_layernorm.weight"), uniform(random, NORM_OFFSET, HIDDEN));
            tensors.put(layer(l, "pre_feedforward_layernorm.weight"), uniform(random, NORM_OFFSET, HIDDEN));
            tensors.put(layer(l, "mlp.gate_proj.weight.T"), projection(random, MLP_GAIN, HIDDEN, INTERMEDIATE));
            tensors.put(layer(l, "mlp.up_proj.weight.T"), projection(random, MLP_GAIN, HIDDEN, INTERMEDIATE));
            tensors.put(layer(l, "mlp.down_proj.weight.T"), projection(random, MLP_GAIN, INTERMEDIATE, HIDDEN));
            tensors.put(layer(l, "post_feedforward_layernorm.weight"), uniform(random, NORM_OFFSET, HIDDEN));
        }
        tensors.put(FINAL_NORM, uniform(random, NORM_OFFSET, HIDDEN));
        return new TinyWeights(tensors);
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    private static Tensor projection(Random random, float gain, int in, int out) {
        return uniform(random, gain / (float) Math.sqrt(in), in, out);
    }

    /** Uniform values with the given standard deviation; {@link Random} is specified exactly, so seeds are portable. */
    private static Tensor uniform(Random random, float std, int... dims) {
        long[] shape = new long[dims.length];
        int size = 1;
        for (int i = 0; i < dims.length; i++) {
            shape[i] = dims[i];
            size *= dims[i];
        }
        float bound = std * (float) Math.sqrt(3.0);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (random.nextFloat() * 2f - 1f) * bound;
        }
        return new Tensor(shape, values);
    }
}
