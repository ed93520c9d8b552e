package io.copeplatform.labeling.domain;

import java.util.List;

/**
 * What an evaluation was asked to do. {@code threshold} null: 0.5; {@code thresholds} empty: 0.1, 0.2, ..., 0.9.
 */
public record EvaluationSpec(String id, String displayName, String policyRef, String datasetId, LabelerSpec labeler,
        Double threshold, List<Double> thresholds, Budget budget) {
}
