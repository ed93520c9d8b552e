package io.copeplatform.labeling.domain;

import java.util.List;

/** The outcome of one import: counts, and the first rejected rows. */
public record ImportResult(Dataset dataset, long importedCount, long duplicateCount, long rejectedCount,
        List<RowError> rowErrors, boolean rowErrorsTruncated) {
}
