package io.copeplatform.testkit.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * The oracle: Gemma-2's forward pass for one row, written as plain loops in double precision from the model's
 * description (Hugging Face's {@code modeling_gemma2}), NOT from the graph builder.
 *
 * <p>
 * It reads only the weights stored in {@code model.onnx} (by their checkpoint names) and the sizes in
 * {@code cope-model.json}, so it checks that the graph computes what the manifest and the docs claim. Rotary angles are
 * rounded to float32 like Hugging Face's float32 {@code position_ids x inv_freq} (at position 8,000 the rounding moves
 * an angle by about 1e-4 radians, which would otherwise show up as a spurious difference).
 */
final class ReferenceForward {

    private static final double ROPE_THETA = 10_000.0;
    private static final double RMS_EPS = 1e-6;

    private final Map<String, float[]> weights;
    private final int vocab;
    private final int hidden;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int intermediate;
    private final int slidingWindow;
    private final double attnSoftcap;
    private final double finalSoftcap;

    /** Keys and values per layer for one row: {@code [layer][kv_head][position][dim]}. */
    record Cache(double[][][][] keys, double[][][][] values) {
    }

    record Output(double[] lastLogits, Cache presents) {
    }

    private ReferenceForward(Map<String, float[]> weights, JsonNode architecture, int vocab) {
        this.weights = weights;
        this.vocab = vocab;
        this.hidden = architecture.get("hidden_size").asInt();
        this.layers = architecture.get("num_layers").asInt();
        this.heads = architecture.get("num_attention_heads").asInt();
        this.kvHeads = architecture.get("num_kv_heads").asInt();
        this.headDim = architecture.get("head_dim").asInt();
        this.slidingWindow = architecture.get("sliding_window").asInt();
        this.attnSoftcap = architecture.get("attn_logit_softcapping").asDouble();
        this.finalSoftcap = architecture.get("final_logit_softcapping").asDouble();
        this.intermediate = weights.get("model.layers.0.mlp.gate_proj.weight.T").length / hidden;
    }

    static ReferenceForward load(Path bundle) throws IOException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(bundle.resolve("model.onnx")));
        Map<String, float[]> weights = new HashMap<>();
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            if (tensor.getDataType() == TensorProto.DataType.FLOAT.getNumber()
                    && tensor.getName().startsWith("model.")) {
                ByteBuffer raw = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                float[] values = new float[raw.remaining() / Float.BYTES];
                raw.asFloatBuffer().get(values);
                weights.put(tensor.getName(), values);
            }
        }
        JsonNode manifest = new ObjectMapper().readTree(bundle.resolve("cope-model.json").toFile());
        return new ReferenceForward(weights, manifest.get("architecture"), manifest.get("vocab_size").asInt());
    }

    int slidingWindow() {
        return slidingWindow;
    }

    Output run(long[] ids, long[] positions) {
        long[] mask = new long[ids.length];
        Arrays.fill(mask, 1);
        return run(ids, mask, positions, emptyCache(), slidingWindow);
    }

    Cache emptyCache() {
        return new Cache(new double[layers][kvHeads][0][headDim], new double[layers][kvHeads][0][headDim]);
    }

    /**
     * One row: {@code ids} and {@code positions} of the S new tokens, {@code mask} over past + new (T = P + S),
     * {@code past} with P positions. {@code window} is the sliding window of even layers (pass a huge value to switch
     * it off and see that it mattered).
     */
    Output run(long[] ids, long[] mask, long[] positions, Cache past, int window) {
        int s = ids.length;
        int total = mask.length;
        int pastLength = total - s;
        double[][] x = new double[s][hidden];
        float[] embed = weights.get("model.embed_tokens.weight");
        for (int i = 0; i < s; i++) {
            for (int h = 0; h < hidden; h++) {
                x[i][h] = embed[(int) ids[i] * hidden + h] * Math.sqrt(hidden);
            }
        }
        long[] keyPositions = new long[total];
        long seen = 0;
        for (int t = 0; t < total; t++) {
            seen += mask[t];
            keyPositions[t] = seen - 1;
        }

        double[][][][] presentKeys = new double[layers][][][];
        double[][][][] presentValues = new double[layers][][][];
        for (int l = 0; l < layers; l++) {
            String prefix = "model.layers." + l + ".";
            double[][] normed = rmsNorm(x, weights.get(prefix + "input_layernorm.weight"));
            double[][] q = matmul(normed, weights.get(prefix + "self_attn.q_proj.weight.T"), heads * headDim);
            double[][] k = matmul(normed, weights.get(prefix + "self_attn.k_proj.weight.T"), kvHeads * headDim);
            double[][] v = matmul(normed, weights.get(prefix + "self_attn.v_proj.weight.T"), kvHeads * headDim);

            double[][][] keys = new double[kvHeads][total][];
            double[][][] values = new double[kvHeads][total][];
            for (int kv = 0; kv < kvHeads; kv++) {
                for (int t = 0; t < pastLength; t++) {
                    keys[kv][t] = past.keys()[l][kv][t];
                    values[kv][t] = past.values()[l][kv][t];
                }
                for (int i = 0; i < s; i++) {
                    keys[kv][pastLength + i] = rope(slice(k[i], kv), positions[i]);
                    values[kv][pastLength + i] = slice(v[i], kv);
                }
            }
            presentKeys[l] = keys;
            presentValues[l] = values;

            boolean sliding = l % 2 == 0;
            double[][] context = new double[s][heads * headDim];
            for (int i = 0; i < s; i++) {
                for (int head = 0; head < heads; head++) {
                    int kv = head / (heads / kvHeads);
                    double[] query = rope(slice(q[i], head), positions[i]);
                    double[] scores = new double[total];
                    boolean[] visible = new boolean[total];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = 0; t < total; t++) {
                        visible[t] = t <= pastLength + i && mask[t] == 1
                                && (!sliding || positions[i] - keyPositions[t] < window);
                        if (visible[t]) {
                            double score = dot(query, keys[kv][t]) / Math.sqrt(headDim);
                            scores[t] = Math.tanh(score / attnSoftcap) * attnSoftcap;
                            max = Math.max(max, scores[t]);
                        }
                    }
                    double sum = 0;
                    for (int t = 0; t < total; t++) {
                        scores[t] = visible[t] ? Math.exp(scores[t] - max) : 0;
                        sum += scores[t];
                    }
                    for (int t = 0; t < total; t++) {
                        for (int d = 0; d < headDim; d++) {
                            context[i][head * headDim + d] += scores[t] / sum * values[kv][t][d];
                        }
                    }
                }
            }
            double[][] attention = matmul(context, weights.get(prefix + "self_attn.o_proj.weight.T"), hidden);
            add(x, rmsNorm(attention, weights.get(prefix + "post_attention_layernorm.weight")));

            double[][] mlpInput = rmsNorm(x, weights.get(prefix + "pre_feedforward_layernorm.weight"));
            double[][] gate = matmul(mlpInput, weights.get(prefix + "mlp.gate_proj.weight.T"), intermediate);
            double[][] up = matmul(mlpInput, weights.get(prefix + "mlp.up_proj.weight.T"), intermediate);
            for (int i = 0; i < s; i++) {
                for (int j = 0; j < intermediate; j++) {
                    double g = gate[i][j];
                    gate[i][j] = 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g)))
                            * up[i][j];
                }
            }
            double[][] mlp = matmul(gate, weights.get(prefix + "mlp.down_proj.weight.T"), hidden);
            add(x, rmsNorm(mlp, weights.get(prefix + "post_feedforward_layernorm.weight")));
        }

        double[] last = rmsNorm(new double[][]{x[s - 1]}, weights.get("model.norm.weight"))[0];
        double[] logits = new double[vocab];
        for (int token = 0; token < vocab; token++) {
            double logit = 0;
            for (int h = 0; h < hidden; h++) {
                logit += last[h] * embed[token * hidden + h];
            }
            logits[token] = Math.tanh(logit / finalSoftcap) * finalSoftcap;
        }
        return new Output(logits, new Cache(presentKeys, presentValues));
    }

    /** Hugging Face's rotate_half RoPE: {@code x cos + rotate_half(x) sin}, first half paired with second half. */
    private double[] rope(double[] vector, long position) {
        int half = headDim / 2;
        double[] out = new double[headDim];
        for (int i = 0; i < half; i++) {
            float inverseFrequency = (float) (1.0 / Math.pow(ROPE_THETA, 2.0 * i / headDim));
            double angle = (float) position * inverseFrequency;
            double cos = Math.cos((float) angle);
            double sin = Math.sin((float) angle);
            out[i] = vector[i] * cos - vector[i + half] * sin;
            out[i + half] = vector[i + half] * cos + vector[i] * sin;
        }
        return out;
    }

    private double[] slice(double[] row, int head) {
        double[] out = new double[headDim];
        System.arraycopy(row, head * headDim, out, 0, headDim);
        return out;
    }

    /** Gemma's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * (1 + w)}. */
    private static double[][] rmsNorm(double[][] x, float[] weight) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            double meanSquare = 0;
            for (double value : x[i]) {
                meanSquare += value * value;
            }
            meanSquare /= x[i].length;
            double scale = 1 / Math.sqrt(meanSquare + RMS_EPS);
            out[i] = new double[x[i].length];
            for (int h = 0; h < x[i].length; h++) {
                out[i][h] = x[i][h] * scale * (1 + weight[h]);
            }
        }
        return out;
    }

    /** {@code x [n, in] @ w [in, out]}, {@code w} row-major. */
    private static double[][] matmul(double[][] x, float[] w, int out) {
        int in = w.length / out;
        double[][] result = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            for (int a = 0; a < in; a++) {
                double value = x[i][a];
                for (int b = 0; b < out; b++) {
                    result[i][b] += value * w[a * out + b];
                }
            }
        }
        return result;
    }

    private static void add(double[][] x, double[][] delta) {
        for (int i = 0; i < x.length; i++) {
            for (int h = 0; h < x[i].length; h++) {
                x[i][h] += delta[i][h];
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
