package io.copeplatform.testkit.model;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Runs a bundle's {@code model.onnx} in ONNX Runtime the way the engine will: left-padded int64 batches, position ids
 * counting real tokens, and (KV variant) a past that the attention mask spans.
 */
final class ModelRunner implements AutoCloseable {

    static final int LAYERS = 2;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 16;

    /** Key/value tensors of every layer, {@code [batch, kv_heads, length, head_dim]} flattened row-major. */
    record Past(int batch, int length, float[][] keys, float[][] values) {

        static Past empty(int batch) {
            float[][] none = new float[LAYERS][0];
            return new Past(batch, 0, none, none);
        }

        /** One cached row repeated along the batch dimension, as a prefix cache serves a group of requests. */
        Past expand(int rows) {
            if (batch != 1) {
                throw new IllegalStateException("only a single-row past can be expanded");
            }
            float[][] expandedKeys = new float[LAYERS][];
            float[][] expandedValues = new float[LAYERS][];
            for (int l = 0; l < LAYERS; l++) {
                expandedKeys[l] = repeat(keys[l], rows);
                expandedValues[l] = repeat(values[l], rows);
            }
            return new Past(rows, length, expandedKeys, expandedValues);
        }

        /** The {@code [kv_heads, length, head_dim]} block of one row of layer {@code layer}'s keys. */
        float[] keysOfRow(int layer, int row) {
            int size = KV_HEADS * length * HEAD_DIM;
            float[] rowKeys = new float[size];
            System.arraycopy(keys[layer], row * size, rowKeys, 0, size);
            return rowKeys;
        }

        private static float[] repeat(float[] block, int times) {
            float[] out = new float[block.length * times];
            for (int i = 0; i < times; i++) {
                System.arraycopy(block, 0, out, i * block.length, block.length);
            }
            return out;
        }
    }

    /** What one run returns: the last position's logits per row and, for the KV variant, the presents. */
    record Forward(float[][] lastLogits, long[] logitsShape, Past presents, long[] presentShape) {
    }

    /**
     * A left-padded batch: {@code ids} and {@code positions} are {@code [B, S]}, {@code mask} is {@code [B, P + S]}.
     */
    record Batch(int rows, int length, long[] ids, long[] mask, long[] positions, int pastLength) {

        static Batch single(long[] tokens) {
            return leftPadded(List.of(tokens), 0);
        }

        /**
         * Rows padded on the left to the longest; real tokens get positions {@code pastLength, pastLength + 1, ...};
         * pads get mask 0 and position 0.
         */
        static Batch leftPadded(List<long[]> tokenRows, int pastLength) {
            int length = tokenRows.stream().mapToInt(row -> row.length).max().orElseThrow();
            int rows = tokenRows.size();
            int total = pastLength + length;
            long[] ids = new long[rows * length];
            long[] positions = new long[rows * length];
            long[] mask = new long[rows * total];
            for (int r = 0; r < rows; r++) {
                long[] tokens = tokenRows.get(r);
                int pad = length - tokens.length;
                for (int p = 0; p < pastLength; p++) {
                    mask[r * total + p] = 1;
                }
                for (int i = 0; i < tokens.length; i++) {
                    ids[r * length + pad + i] = tokens[i];
                    positions[r * length + pad + i] = pastLength + i;
                    mask[r * total + pastLength + pad + i] = 1;
                }
            }
            return new Batch(rows, length, ids, mask, positions, pastLength);
        }
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean withPast;

    private ModelRunner(OrtEnvironment environment, OrtSession session) {
        this.environment = environment;
        this.session = session;
        this.withPast = session.getInputNames().contains("past_key_values.0.key");
    }

    static ModelRunner open(Path bundle) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return new ModelRunner(environment,
                    environment.createSession(bundle.resolve(TinyModel.MODEL_FILE).toString(), options));
        }
    }

    OrtSession session() {
        return session;
    }

    Forward run(Batch batch) throws OrtException {
        return run(batch, withPast ? Past.empty(batch.rows()) : null);
    }

    Forward run(Batch batch, Past past) throws OrtException {
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            long[] tokenShape = {batch.rows(), batch.length()};
            inputs.put("input_ids", track(tensors, OnnxTensor.createTensor(environment, LongBuffer.wrap(batch.ids()),
                    tokenShape)));
            inputs.put("attention_mask", track(tensors, OnnxTensor.createTensor(environment,
                    LongBuffer.wrap(batch.mask()), new long[]{batch.rows(), batch.pastLength() + batch.length()})));
            inputs.put("position_ids", track(tensors, OnnxTensor.createTensor(environment,
                    LongBuffer.wrap(batch.positions()), tokenShape)));
            if (withPast) {
                long[] pastShape = {batch.rows(), KV_HEADS, past.length(), HEAD_DIM};
                for (int l = 0; l < LAYERS; l++) {
                    inputs.put("past_key_values." + l + ".key", track(tensors, OnnxTensor.createTensor(environment,
                            FloatBuffer.wrap(past.keys()[l]), pastShape)));
                    inputs.put("past_key_values." + l + ".value", track(tensors, OnnxTensor.createTensor(environment,
                            FloatBuffer.wrap(past.values()[l]), pastShape)));
                }
            }
            try (OrtSession.Result result = session.run(inputs)) {
                OnnxTensor logits = (OnnxTensor) result.get("logits").orElseThrow();
                long[] logitsShape = logits.getInfo().getShape();
                int vocab = (int) logitsShape[2];
                FloatBuffer flat = logits.getFloatBuffer();
                float[][] lastLogits = new float[batch.rows()][vocab];
                for (float[] row : lastLogits) {
                    flat.get(row);
                }
                if (!withPast) {
                    return new Forward(lastLogits, logitsShape, null, null);
                }
                float[][] keys = new float[LAYERS][];
                float[][] values = new float[LAYERS][];
                long[] presentShape = null;
                for (int l = 0; l < LAYERS; l++) {
                    OnnxTensor key = (OnnxTensor) result.get("present." + l + ".key").orElseThrow();
                    OnnxTensor value = (OnnxTensor) result.get("present." + l + ".value").orElseThrow();
                    presentShape = key.getInfo().getShape();
                    keys[l] = toArray(key.getFloatBuffer());
                    values[l] = toArray(value.getFloatBuffer());
                }
                Past presents = new Past(batch.rows(), (int) presentShape[2], keys, values);
                return new Forward(lastLogits, logitsShape, presents, presentShape);
            }
        } finally {
            tensors.forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor tensor) {
        tensors.add(tensor);
        return tensor;
    }

    private static float[] toArray(FloatBuffer buffer) {
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
