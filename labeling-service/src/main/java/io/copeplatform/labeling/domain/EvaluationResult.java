package io.copeplatform.labeling.domain;

import java.util.List;

/**
 * Metrics of an evaluation: at its threshold, and at each sweep threshold (empty without scores). Each metrics entry is
 * a confusion matrix at a threshold; ratios are derived from it.
 */
public record EvaluationResult(ConfusionCounts metrics, List<ConfusionCounts> thresholdMetrics, long evaluatedCount,
        long malformedCount, long failedCount) {

    /** A confusion matrix at one threshold. */
    public record ConfusionCounts(double threshold, long truePositives, long falsePositives, long trueNegatives,
            long falseNegatives) {
    }
}
