package io.copeplatform.inference.engine;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import sun.misc.Unsafe;

/**
 * Native memory for a batch's repeated past (the cached prefix copied once per row). A batch of B rows needs B times
 * the prefix's bytes for every past input, on every forward pass. Allocating that as fresh direct buffers would zero it
 * first and leave the freeing to the garbage collector, which under load reaches the JVM's direct-memory limit and
 * stops the world in {@code System.gc()}. Instead each thread (in practice, the batcher's) keeps one buffer up to
 * {@link #RETAINED_BYTES} and reuses it; a larger need (a real model: ~4.5 MB per row per layer tensor) is allocated
 * for the pass and freed explicitly right after it, so such a buffer never waits for a collection.
 */
final class RepeatedPastBuffer {

    /** Most bytes a thread keeps between passes (the tiny test model at batch 16 needs a few MB). */
    static final long RETAINED_BYTES = 64L << 20;

    private static final Unsafe UNSAFE = unsafe();
    private static final ThreadLocal<ByteBuffer> RETAINED = new ThreadLocal<>();

    private RepeatedPastBuffer() {
    }

    /**
     * A native-order buffer of exactly {@code bytes} (position 0, limit {@code bytes}); give it back to
     * {@link #release}.
     */
    static ByteBuffer acquire(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new InferenceException("A batch's repeated past needs " + bytes
                    + " bytes in one tensor group; lower inference.batching.max-batch-size", null);
        }
        if (bytes > RETAINED_BYTES) {
            return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer kept = RETAINED.get();
        if (kept == null || kept.capacity() < bytes) {
            if (kept != null) {
                UNSAFE.invokeCleaner(kept);
            }
            kept = ByteBuffer.allocateDirect((int) Math.min(RETAINED_BYTES, Math.max(bytes, 2 * capacity(kept))))
                    .order(ByteOrder.nativeOrder());
            RETAINED.set(kept);
        }
        kept.clear().limit((int) bytes);
        return kept;
    }

    /** Ends a pass's use of {@code buffer}: kept for the next pass, or freed now when too large to keep. */
    static void release(ByteBuffer buffer) {
        if (buffer != RETAINED.get()) {
            UNSAFE.invokeCleaner(buffer);
        }
    }

    private static int capacity(ByteBuffer buffer) {
        return buffer == null ? 0 : buffer.capacity();
    }

    private static Unsafe unsafe() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
