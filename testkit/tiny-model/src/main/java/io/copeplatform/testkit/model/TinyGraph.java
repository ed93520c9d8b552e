package io.copeplatform.testkit.model;

import static io.copeplatform.testkit.model.OnnxGraphBuilder.intAttribute;
import static io.copeplatform.testkit.model.OnnxGraphBuilder.intsAttribute;
import static io.copeplatform.testkit.model.TinyArchitecture.ATTN_LOGIT_SOFTCAP;
import static io.copeplatform.testkit.model.TinyArchitecture.FINAL_LOGIT_SOFTCAP;
import static io.copeplatform.testkit.model.TinyArchitecture.HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.HEAD_DIM;
import static io.copeplatform.testkit.model.TinyArchitecture.HIDDEN;
import static io.copeplatform.testkit.model.TinyArchitecture.KV_HEADS;
import static io.copeplatform.testkit.model.TinyArchitecture.LAYERS;
import static io.copeplatform.testkit.model.TinyArchitecture.RMS_NORM_EPS;
import static io.copeplatform.testkit.model.TinyArchitecture.ROPE_THETA;
import static io.copeplatform.testkit.model.TinyArchitecture.SLIDING_WINDOW;

import java.util.List;
import java.util.Map;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;

/**
 * Builds the tiny model's ONNX graph with the Hugging Face causal-LM contract of docs/model-bundle.md.
 *
 * <p>
 * Inputs {@code input_ids}, {@code attention_mask} (spanning past + current), {@code position_ids} and, in the KV
 * variant, {@code past_key_values.{i}.key|value}; outputs {@code logits} of the last position only ({@code [B, 1, V]})
 * and {@code present.{i}.key|value}. The attention mask is built inside the graph from the column order (causal), the
 * padding mask (keys with {@code attention_mask = 0} are never seen) and, on sliding layers, the distance between
 * {@code position_ids} and the key positions {@code cumsum(attention_mask) - 1}, so left padding and a past of any
 * length give the same result as the row alone.
 *
 * <p>
 * Choices that keep the graph small and exact: grouped-query attention broadcasts each KV head over its query group
 * instead of repeating K/V; {@code rotate_half} is a MatMul with a fixed ±1 matrix; the mask is an additive bias of 0
 * or the most negative finite float, so a row with no visible key (a pad query) is uniform rather than NaN; the last
 * layer computes queries, attention and MLP only for the last position, the only one whose logits leave the graph (its
 * keys and values still cover every position, for {@code present}).
 */
final class TinyGraph {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";
    static final String PAST_KEY = "past_key_values.%d.key";
    static final String PAST_VALUE = "past_key_values.%d.value";
    static final String PRESENT_KEY = "present.%d.key";
    static final String PRESENT_VALUE = "present.%d.value";

    static final int OPSET = 17;
    private static final int IR_VERSION = 8;

    private static final String BATCH = "batch_size";
    private static final String SEQUENCE = "sequence_length";
    private static final String PAST_SEQUENCE = "past_sequence_length";
    private static final String TOTAL_SEQUENCE = "total_sequence_length";
    private static final int GROUP = HEADS / KV_HEADS;

    private final OnnxGraphBuilder g = new OnnxGraphBuilder("cope_tiny_test_gemma2");
    private final boolean withPast;
    /** Past/present key-values and logits are float16 at the boundary (cast to and from float32 inside). */
    private final DataType io;
    private String cos;
    private String sin;
    private String visibleGlobal;
    private String visibleSliding;

    private TinyGraph(boolean withPast, boolean float16) {
        this.withPast = withPast;
        this.io = float16 ? DataType.FLOAT16 : DataType.FLOAT;
    }

    static ModelProto build(TinyWeights weights, int vocabSize, boolean withPast, boolean float16, String docString,
            Map<String, Object> metadata) {
        TinyGraph graph = new TinyGraph(withPast, float16);
        graph.declareInputsAndOutputs(vocabSize);
        graph.addWeights(weights);
        graph.addForwardPass(vocabSize);
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("io.copeplatform:testkit-tiny-model")
                .setProducerVersion(TinyModel.VERSION)
                .setDomain("io.copeplatform")
                .setModelVersion(1)
                .setDocString(docString)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.g.build());
        metadata.forEach((key, value) -> model.addMetadataProps(
                StringStringEntryProto.newBuilder().setKey(key).setValue((String) value)));
        return model.build();
    }

    private void declareInputsAndOutputs(int vocabSize) {
        g.input(INPUT_IDS, DataType.INT64, BATCH, SEQUENCE);
        g.input(ATTENTION_MASK, DataType.INT64, BATCH, TOTAL_SEQUENCE);
        g.input(POSITION_IDS, DataType.INT64, BATCH, SEQUENCE);
        if (withPast) {
            for (int l = 0; l < LAYERS; l++) {
                g.input(PAST_KEY.formatted(l), io, BATCH, KV_HEADS, PAST_SEQUENCE, HEAD_DIM);
                g.input(PAST_VALUE.formatted(l), io, BATCH, KV_HEADS, PAST_SEQUENCE, HEAD_DIM);
            }
        }
        g.output(LOGITS, io, BATCH, 1, vocabSize);
        if (withPast) {
            for (int l = 0; l < LAYERS; l++) {
                g.output(PRESENT_KEY.formatted(l), io, BATCH, KV_HEADS, TOTAL_SEQUENCE, HEAD_DIM);
                g.output(PRESENT_VALUE.formatted(l), io, BATCH, KV_HEADS, TOTAL_SEQUENCE, HEAD_DIM);
            }
        }
    }

    private void addWeights(TinyWeights weights) {
        weights.tensors().forEach((name, tensor) -> g.initializer(name, tensor.dims(), tensor.values()));
    }

    private void addForwardPass(int vocabSize) {
        addRotaryTables();
        addVisibility();

        String x = g.op("Gather", List.of(TinyWeights.EMBED_TOKENS, INPUT_IDS), intAttribute("axis", 0));
        x = g.op("Mul", List.of(x, g.floatScalar((float) Math.sqrt(HIDDEN))));
        for (int l = 0; l < LAYERS; l++) {
            x = decoderLayer(l, x, l == LAYERS - 1);
        }
        // The last layer already reduced the sequence to the last position: x is [B, 1, H].
        String normed = rmsNorm(x, TinyWeights.FINAL_NORM);
        String rows = g.op("Reshape", List.of(normed, g.int64s(-1, HIDDEN)));
        String tiedHead = g.op("Gemm", List.of(rows, TinyWeights.EMBED_TOKENS), intAttribute("transB", 1));
        String raw = g.op("Reshape", List.of(tiedHead, g.int64s(-1, 1, vocabSize)));
        String capped = g.op("Tanh", List.of(g.op("Div", List.of(raw, g.floatScalar(FINAL_LOGIT_SOFTCAP)))));
        String logits = g.op("Mul", List.of(capped, g.floatScalar(FINAL_LOGIT_SOFTCAP)));
        g.opInto(io == DataType.FLOAT ? "Identity" : "Cast", LOGITS, List.of(logits), castAttributes(io));
    }

    /**
     * The past's keys (or values) followed by the current ones, in float32 for the attention; the same tensor leaves
     * the graph as {@code present} in the boundary type.
     */
    private String withPast(String current, String past, String present) {
        if (io == DataType.FLOAT) {
            return g.opInto("Concat", present, List.of(past, current), intAttribute("axis", 2));
        }
        String pastFloat = g.op("Cast", List.of(past), intAttribute("to", DataType.FLOAT.getNumber()));
        String all = g.op("Concat", List.of(pastFloat, current), intAttribute("axis", 2));
        g.opInto("Cast", present, List.of(all), intAttribute("to", io.getNumber()));
        return all;
    }

    private static AttributeProto[] castAttributes(DataType to) {
        return to == DataType.FLOAT
                ? new AttributeProto[0]
                : new AttributeProto[]{intAttribute("to", to.getNumber())};
    }

    /** cos/sin of {@code position_ids x inv_freq}, as {@code [B, 1, S, head_dim]} (Hugging Face's layout). */
    private void addRotaryTables() {
        float[] invFreq = new float[HEAD_DIM];
        for (int i = 0; i < HEAD_DIM / 2; i++) {
            float frequency = inverseFrequency(i);
            invFreq[i] = frequency;
            invFreq[i + HEAD_DIM / 2] = frequency;
        }
        g.initializer("rope.inv_freq", new long[]{HEAD_DIM}, invFreq);
        g.initializer("rope.rotate_half", new long[]{HEAD_DIM, HEAD_DIM}, rotateHalfMatrix());

        String positions = g.op("Cast", List.of(POSITION_IDS), intAttribute("to", DataType.FLOAT.getNumber()));
        String angles = g.op("Mul", List.of(g.op("Unsqueeze", List.of(positions, g.int64s(2))), "rope.inv_freq"));
        cos = g.op("Unsqueeze", List.of(g.op("Cos", List.of(angles)), g.int64s(1)));
        sin = g.op("Unsqueeze", List.of(g.op("Sin", List.of(angles)), g.int64s(1)));
    }

    /** Hugging Face's {@code 1 / theta^(2i / head_dim)} in float32; StrictMath keeps the bytes portable. */
    static float inverseFrequency(int i) {
        return (float) (1.0 / StrictMath.pow(ROPE_THETA, (2.0 * i) / HEAD_DIM));
    }

    /** {@code x @ R == cat(-x[half:], x[:half])}. */
    private static float[] rotateHalfMatrix() {
        int half = HEAD_DIM / 2;
        float[] matrix = new float[HEAD_DIM * HEAD_DIM];
        for (int j = 0; j < half; j++) {
            matrix[(j + half) * HEAD_DIM + j] = -1f;
            matrix[j * HEAD_DIM + j + half] = 1f;
        }
        return matrix;
    }

    /**
     * Which key columns each query may see, {@code [B, S, T]} booleans: key column {@code <=} query column (queries are
     * the last S of the T columns), key not padding, and, for sliding layers, {@code query_pos - key_pos < window}.
     */
    private void addVisibility() {
        String sequence = g.op("Shape", List.of(INPUT_IDS), intAttribute("start", 1), intAttribute("end", 2));
        String total = g.op("Shape", List.of(ATTENTION_MASK), intAttribute("start", 1), intAttribute("end", 2));
        String totalScalar = g.op("Squeeze", List.of(total, g.int64s(0)));
        String pastScalar = g.op("Squeeze", List.of(g.op("Sub", List.of(total, sequence)), g.int64s(0)));
        String keyColumns = g.op("Range", List.of(g.int64Scalar(0), totalScalar, g.int64Scalar(1)));
        String queryColumns = g.op("Unsqueeze", List.of(
                g.op("Range", List.of(pastScalar, totalScalar, g.int64Scalar(1))), g.int64s(1)));
        String causal = g.op("LessOrEqual", List.of(keyColumns, queryColumns));
        String realKeys = g.op("Unsqueeze", List.of(
                g.op("Cast", List.of(ATTENTION_MASK), intAttribute("to", DataType.BOOL.getNumber())), g.int64s(1)));
        visibleGlobal = g.op("And", List.of(causal, realKeys));

        String keyPositions = g.op("Sub", List.of(
                g.op("CumSum", List.of(ATTENTION_MASK, g.int64Scalar(1))), g.int64Scalar(1)));
        String windowStarts = g.op("Sub", List.of(POSITION_IDS, g.int64Scalar(SLIDING_WINDOW)));
        String inWindow = g.op("Less", List.of(
                g.op("Unsqueeze", List.of(windowStarts, g.int64s(2))),
                g.op("Unsqueeze", List.of(keyPositions, g.int64s(1)))));
        visibleSliding = g.op("And", List.of(visibleGlobal, inWindow));
    }

    private String decoderLayer(int layer, String x, boolean lastPositionOnly) {
        String normed = rmsNorm(x, TinyWeights.layer(layer, "input_layernorm.weight"));
        String queryInput = lastPositionOnly ? lastPosition(normed, 1) : normed;
        String residual = lastPositionOnly ? lastPosition(x, 1) : x;
        String queryCos = lastPositionOnly ? lastPosition(cos, 2) : cos;
        String querySin = lastPositionOnly ? lastPosition(sin, 2) : sin;

        String query = rotate(heads(project(queryInput, layer, "self_attn.q_proj"), HEADS), queryCos, querySin);
        String key = rotate(heads(project(normed, layer, "self_attn.k_proj"), KV_HEADS), cos, sin);
        String value = heads(project(normed, layer, "self_attn.v_proj"), KV_HEADS);
        if (withPast) {
            key = withPast(key, PAST_KEY.formatted(layer), PRESENT_KEY.formatted(layer));
            value = withPast(value, PAST_VALUE.formatted(layer), PRESENT_VALUE.formatted(layer));
        }

        // [B, H_q, Sq, D] -> [B, H_kv, G, Sq, D]: the G query heads sharing a KV head meet that head's keys and values
        // through MatMul's batch broadcasting ([B, H_kv, 1, ...]), so K/V are never repeated. The 1/sqrt(D) scaling
        // and the soft-cap's 1/cap go into the small query tensor rather than a pass over the scores.
        String scaledQuery = g.op("Mul", List.of(query,
                g.floatScalar((float) (1.0 / (Math.sqrt(HEAD_DIM) * ATTN_LOGIT_SOFTCAP)))));
        String groupedQuery = g.op("Reshape", List.of(scaledQuery, g.int64s(0, KV_HEADS, GROUP, -1, HEAD_DIM)));
        String keyT = g.op("Unsqueeze", List.of(
                g.op("Transpose", List.of(key), intsAttribute("perm", 0, 1, 3, 2)), g.int64s(2)));
        String scoresOverCap = g.op("MatMul", List.of(groupedQuery, keyT));
        String capped = g.op("Mul", List.of(g.op("Tanh", List.of(scoresOverCap)), g.floatScalar(ATTN_LOGIT_SOFTCAP)));
        String masked = g.op("Add", List.of(capped, maskBias(TinyArchitecture.isSliding(layer), lastPositionOnly)));
        String weights = g.op("Softmax", List.of(masked), intAttribute("axis", -1));
        String context = g.op("MatMul", List.of(weights, g.op("Unsqueeze", List.of(value, g.int64s(2)))));
        String perHead = g.op("Reshape", List.of(context, g.int64s(0, HEADS, -1, HEAD_DIM)));
        String merged = g.op("Reshape", List.of(
                g.op("Transpose", List.of(perHead), intsAttribute("perm", 0, 2, 1, 3)),
                g.int64s(0, 0, HEADS * HEAD_DIM)));
        String attention = project(merged, layer, "self_attn.o_proj");
        x = g.op("Add", List.of(residual,
                rmsNorm(attention, TinyWeights.layer(layer, "post_attention_layernorm.weight"))));

        String mlpInput = rmsNorm(x, TinyWeights.layer(layer, "pre_feedforward_layernorm.weight"));
        String gate = geluTanh(project(mlpInput, layer, "mlp.gate_proj"));
        String up = project(mlpInput, layer, "mlp.up_proj");
        String mlp = project(g.op("Mul", List.of(gate, up)), layer, "mlp.down_proj");
        return g.op("Add", List.of(x, rmsNorm(mlp, TinyWeights.layer(layer, "post_feedforward_layernorm.weight"))));
    }

    private String project(String input, int layer, String projection) {
        return g.op("MatMul", List.of(input, TinyWeights.layer(layer, projection + ".weight.T")));
    }

    /** {@code [B, S, heads*D]} -> {@code [B, heads, S, D]}. */
    private String heads(String projected, int heads) {
        String split = g.op("Reshape", List.of(projected, g.int64s(0, 0, heads, HEAD_DIM)));
        return g.op("Transpose", List.of(split), intsAttribute("perm", 0, 2, 1, 3));
    }

    private String rotate(String states, String cosTable, String sinTable) {
        String rotated = g.op("MatMul", List.of(states, "rope.rotate_half"));
        return g.op("Add", List.of(g.op("Mul", List.of(states, cosTable)), g.op("Mul", List.of(rotated, sinTable))));
    }

    /**
     * The mask as an additive bias {@code [B, 1, 1, Sq, T]}: 0 where visible, the most negative finite float elsewhere.
     * Added rather than selected with Where: the scores are the largest tensors of a long prompt, and with a
     * broadcasting Where over them the process's peak memory for a 4,000-token pass was 1.67 GB instead of 1.45 GB.
     */
    private String maskBias(boolean sliding, boolean lastPositionOnly) {
        String visible = sliding ? visibleSliding : visibleGlobal;
        if (lastPositionOnly) {
            visible = lastPosition(visible, 1);
        }
        String zeroOrMinusOne = g.op("Sub", List.of(
                g.op("Cast", List.of(visible), intAttribute("to", DataType.FLOAT.getNumber())), g.floatScalar(1f)));
        String bias = g.op("Mul", List.of(zeroOrMinusOne, g.floatScalar(Float.MAX_VALUE)));
        return g.op("Unsqueeze", List.of(bias, g.int64s(1, 2)));
    }

    private String lastPosition(String tensor, long axis) {
        return g.op("Slice", List.of(tensor, g.int64s(-1), g.int64s(Long.MAX_VALUE), g.int64s(axis)));
    }

    /** Gemma's RMSNorm: {@code x / sqrt(mean(x^2) + eps) * (1 + w)}. */
    private String rmsNorm(String x, String weight) {
        String meanSquare = g.op("ReduceMean", List.of(g.op("Mul", List.of(x, x))), intsAttribute("axes", -1),
                intAttribute("keepdims", 1));
        String rms = g.op("Sqrt", List.of(g.op("Add", List.of(meanSquare, g.floatScalar(RMS_NORM_EPS)))));
        String scale = g.op("Add", List.of(g.floatScalar(1f), weight));
        return g.op("Mul", List.of(g.op("Div", List.of(x, rms)), scale));
    }

    /** {@code gelu_pytorch_tanh}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private String geluTanh(String x) {
        String cube = g.op("Mul", List.of(g.op("Mul", List.of(x, x)), x));
        String inner = g.op("Mul", List.of(
                g.op("Add", List.of(x, g.op("Mul", List.of(cube, g.floatScalar(0.044715f))))),
                g.floatScalar((float) Math.sqrt(2.0 / Math.PI))));
        String onePlusTanh = g.op("Add", List.of(g.floatScalar(1f), g.op("Tanh", List.of(inner))));
        return g.op("Mul", List.of(g.op("Mul", List.of(x, g.floatScalar(0.5f))), onePlusTanh));
    }
}
