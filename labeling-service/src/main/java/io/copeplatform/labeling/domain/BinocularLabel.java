package io.copeplatform.labeling.domain;

import java.util.List;

/** Both sides' labels of one item in one iteration, with its review. */
public record BinocularLabel(String jobId, int iteration, String datasetId, String itemId, String contentSha256,
        ItemLabel labelA, ItemLabel labelB, boolean mismatch, boolean reviewPending, String task,
        Boolean goldLabel, List<ReviewFinding> findings) {
}
