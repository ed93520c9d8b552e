package io.copeplatform.inference.engine;

/**
 * The model's answer for one prompt. {@code score} = P("1") = softmax(logit("1"), logit("0"))[0] — the two label logits
 * only, as CoPE is read; {@code confidence} = the probability of the emitted label at {@code threshold}.
 */
public record LabelScore(float positiveLogit, float negativeLogit, double score) {

    /** Numerically stable two-way softmax. */
    public static LabelScore of(float positiveLogit, float negativeLogit) {
        double score = 1.0 / (1.0 + Math.exp((double) negativeLogit - positiveLogit));
        return new LabelScore(positiveLogit, negativeLogit, score);
    }

    public boolean label(double threshold) {
        return score >= threshold;
    }

    public double confidence(double threshold) {
        return label(threshold) ? score : 1.0 - score;
    }
}
