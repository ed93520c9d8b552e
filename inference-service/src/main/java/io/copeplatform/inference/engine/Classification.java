package io.copeplatform.inference.engine;

/**
 * The engine's answer with its provenance: scores, the label at the threshold used, token counts, and how the request
 * was served (queue time, compute time, batch size).
 */
public record Classification(LabelScore score, boolean label, double threshold, int policyTokens,
        int contentTokens, int promptTokens, boolean truncated, long queueNanos, long computeNanos, int batchSize) {

    public double confidence() {
        return score.confidence(threshold);
    }
}
