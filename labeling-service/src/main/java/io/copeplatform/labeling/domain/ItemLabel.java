package io.copeplatform.labeling.domain;

import java.time.Instant;

/** A stored answer of one side (A or B) for one item in one iteration. */
public record ItemLabel(LabelOutcome outcome, boolean label, Double score, String rawAnswer, int attemptCount,
        long promptTokens, long completionTokens, String errorMessage, Instant labelTime) {
}
