package io.copeplatform.review.domain;

import java.time.Instant;

/** One reviewer's decision; {@code span} and {@code quotedText} are null when no clause was marked. */
public record Decision(String id, String taskId, String reviewer, Role role, boolean label,
        CorrectVersion correctVersion, ClauseSpan span, String quotedText, String note, boolean resolution,
        Instant createTime) {
}
