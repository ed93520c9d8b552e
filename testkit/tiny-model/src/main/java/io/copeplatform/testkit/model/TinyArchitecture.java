package io.copeplatform.testkit.model;

/**
 * The hyper-parameters of the tiny model: a 2-layer Gemma-2 in miniature.
 *
 * <p>
 * Every mechanism of Gemma-2 that changes what the engine must get right is kept (grouped-query attention, RoPE from
 * {@code position_ids}, a 4,096-token sliding window on even layers, attention and final logit soft-capping, RMSNorm
 * with {@code (1 + w)}, embeddings scaled by {@code sqrt(hidden)}, a tied LM head); only the sizes shrink.
 */
final class TinyArchitecture {

    static final int LAYERS = 2;
    static final int HIDDEN = 64;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = 16;
    static final int INTERMEDIATE = 256;
    static final double ROPE_THETA = 10_000.0;
    static final float RMS_NORM_EPS = 1e-6f;
    static final float ATTN_LOGIT_SOFTCAP = 50.0f;
    static final float FINAL_LOGIT_SOFTCAP = 30.0f;
    /** Gemma-2's window; even layers use it (layer 0 here), odd layers attend globally. */
    static final int SLIDING_WINDOW = 4096;
    static final int MAX_CONTEXT_TOKENS = 8192;

    private TinyArchitecture() {
    }

    static boolean isSliding(int layer) {
        return layer % 2 == 0;
    }
}
