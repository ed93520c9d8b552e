package io.copeplatform.inference.engine;

/**
 * The key/value tensors of a prompt prefix (batch 1), per layer, as plain float arrays in
 * {@code [kvHeads, length, headDim]} order. Computed once per (model, policy text, template); a request then runs only
 * its suffix on top of it. Plain heap arrays suit the CPU; a GPU build keeps them device-resident (issue 5).
 *
 * @param keys
 *            per layer, {@code kvHeads * length * headDim} floats
 * @param values
 *            per layer, same layout
 * @param length
 *            prefix tokens covered
 */
public record PrefixPast(float[][] keys, float[][] values, int length, int kvHeads, int headDim) {

    /** Bytes held (keys and values, 4 bytes per element). */
    public long bytes() {
        long elements = 0;
        for (int layer = 0; layer < keys.length; layer++) {
            elements += keys[layer].length + values[layer].length;
        }
        return elements * Float.BYTES;
    }
}
