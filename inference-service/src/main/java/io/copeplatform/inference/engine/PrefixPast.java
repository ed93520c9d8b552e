package io.copeplatform.inference.engine;

import java.nio.ByteBuffer;

/**
 * The key/value tensors of a prompt prefix (batch 1), per layer, in {@code [kvHeads, length, headDim]} order, as the
 * graph's element type (float32 or float16) in direct, native-order buffers: off the Java heap, and handed to ONNX
 * Runtime without a copy when a request runs alone. Computed once per (model, policy text, template); a request then
 * runs only its suffix on top of it.
 * <p>
 * The buffers are never written after construction; readers take {@link #key(int)} / {@link #value(int)} views.
 *
 * @param length
 *            prefix tokens covered
 */
public record PrefixPast(ByteBuffer[] keys, ByteBuffer[] values, int length, int kvHeads, int headDim) {

    /** Bytes held (keys and values of every layer). */
    public long bytes() {
        long bytes = 0;
        for (int layer = 0; layer < keys.length; layer++) {
            bytes += keys[layer].capacity() + values[layer].capacity();
        }
        return bytes;
    }

    /** A read view of layer {@code layer}'s keys, positioned at 0. */
    public ByteBuffer key(int layer) {
        return keys[layer].duplicate().clear();
    }

    /** A read view of layer {@code layer}'s values, positioned at 0. */
    public ByteBuffer value(int layer) {
        return values[layer].duplicate().clear();
    }

    public int layers() {
        return keys.length;
    }
}
