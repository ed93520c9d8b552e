package io.copeplatform.labeling.domain;

import java.time.Instant;

/**
 * A reviewer's decision on a mismatch. {@code correctVersion} is A, B, BOTH or NEITHER; {@code clauseSide} (A/B) and
 * the offsets are null when no clause was marked.
 */
public record ReviewFinding(String eventId, String jobId, int iteration, String itemId, String decision,
        String reviewer, boolean label, String correctVersion, String clauseSide, Integer clauseStart,
        Integer clauseEnd, String clauseText, String note, boolean resolution, Instant decideTime,
        Boolean goldLabel) {
}
