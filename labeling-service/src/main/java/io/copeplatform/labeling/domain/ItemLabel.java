package io.copeplatform.labeling.domain;

import java.time.Instant;

/**
 * A stored answer of one side (A or B) for one item in one iteration, with the model that produced it ({@code model}
 * and {@code modelVersion} empty when the labeler reported none).
 */
public record ItemLabel(LabelOutcome outcome, boolean label, Double score, String rawAnswer, int attemptCount,
        long promptTokens, long completionTokens, String errorMessage, Instant labelTime, String model,
        String modelVersion) {
}
