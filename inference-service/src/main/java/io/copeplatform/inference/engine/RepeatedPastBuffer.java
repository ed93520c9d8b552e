package io.copeplatform.inference.engine;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import sun.misc.Unsafe;

/**
 * Native memory for one forward pass's repeated past (the cached prefix copied once per row, for every past input). A
 * batch of B rows needs B times the prefix's bytes on every pass. Allocating that as fresh direct buffers would zero it
 * first and leave the freeing to the garbage collector, which under load reaches the JVM's direct-memory limit and
 * stops the world in {@code System.gc()}. So a pass whose whole repeated past fits in {@link #RETAINED_BYTES} takes its
 * regions from one buffer its thread (in practice, the batcher's) keeps and reuses; a larger pass (a real model: ~4.5
 * MB per row per tensor) gets one buffer per tensor, freed explicitly when the pass ends, so no buffer ever waits for a
 * collection and none is larger than one tensor.
 */
final class RepeatedPastBuffer implements AutoCloseable {

    /** Most bytes a thread keeps between passes (the tiny test model at batch 16 needs a few MB). */
    static final long RETAINED_BYTES = 64L << 20;

    private static final Unsafe UNSAFE = unsafe();
    private static final ThreadLocal<ByteBuffer> RETAINED = new ThreadLocal<>();

    /** The thread's kept buffer when this pass fits in it, else null. */
    private final ByteBuffer kept;
    /** Buffers allocated for this pass alone, freed by {@link #close()}. */
    private final List<ByteBuffer> owned = new ArrayList<>();

    private RepeatedPastBuffer(ByteBuffer kept) {
        this.kept = kept;
    }

    /** Memory for a pass whose repeated past totals {@code totalBytes}. */
    static RepeatedPastBuffer forPass(long totalBytes) {
        if (totalBytes > RETAINED_BYTES) {
            return new RepeatedPastBuffer(null);
        }
        ByteBuffer kept = RETAINED.get();
        if (kept == null || kept.capacity() < totalBytes) {
            if (kept != null) {
                UNSAFE.invokeCleaner(kept);
            }
            int capacity = (int) Math.min(RETAINED_BYTES,
                    Math.max(totalBytes, 2L * (kept == null ? 0 : kept.capacity())));
            kept = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
            RETAINED.set(kept);
        }
        kept.clear();
        return new RepeatedPastBuffer(kept);
    }

    /** {@code rows} copies of {@code one} side by side, in native order, valid until {@link #close()}. */
    ByteBuffer repeat(ByteBuffer one, int rows) {
        int bytes = Math.multiplyExact(one.remaining(), rows);
        ByteBuffer region;
        if (kept != null) {
            region = kept.slice(kept.position(), bytes).order(ByteOrder.nativeOrder());
            kept.position(kept.position() + bytes);
        } else {
            region = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            owned.add(region);
        }
        for (int row = 0; row < rows; row++) {
            region.put(one.duplicate());
        }
        return region.flip();
    }

    /** Whether this pass's regions come from the thread's kept buffer. */
    boolean usesRetainedBuffer() {
        return kept != null;
    }

    /** Frees the buffers allocated for this pass (the kept one stays for the next pass). */
    @Override
    public void close() {
        owned.forEach(UNSAFE::invokeCleaner);
        owned.clear();
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
