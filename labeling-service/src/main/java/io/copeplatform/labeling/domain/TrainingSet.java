package io.copeplatform.labeling.domain;

import java.util.List;

/** An exported training set: its rows and the summary sent after them. */
public record TrainingSet(List<TrainingRow> rows, long contradictoryPairCount, List<PolicyCount> policyCounts) {

    /** Rows of one policy text. */
    public record PolicyCount(String policyVersion, String policyTextSha256, long rowCount, long positiveCount,
            long negativeCount, long contradictoryCount) {
    }
}
