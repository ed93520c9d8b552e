package io.copeplatform.labeling.domain;

import java.util.List;

/** The summary of an exported training set (sent after its rows): row count, contradictory pairs, per-policy counts. */
public record TrainingSet(long rowCount, long contradictoryPairCount, List<PolicyCount> policyCounts) {

    /** Rows of one policy text. */
    public record PolicyCount(String policyVersion, String policyTextSha256, long rowCount, long positiveCount,
            long negativeCount, long contradictoryCount) {
    }
}
