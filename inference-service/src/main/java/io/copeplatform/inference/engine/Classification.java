package io.copeplatform.inference.engine;

/**
 * The engine's answer with its provenance: scores, the label at the threshold used, token counts, and how the request
 * was served (queue time, compute time, batch size, whether the policy's prefix came from the cache and how many tokens
 * were actually run through the model).
 */
public record Classification(LabelScore score, boolean label, double threshold, int policyTokens,
        int contentTokens, int originalContentTokens, int promptTokens, boolean truncated, long queueNanos,
        long computeNanos, int batchSize,
        boolean prefixCacheHit, int computedTokens) {

    public double confidence() {
        return score.confidence(threshold);
    }
}
