package io.copeplatform.review.domain;

import java.time.Instant;

/** A task to create from a ReviewTaskCreated event; {@code iterationSummary} is the raw proto bytes or null. */
public record NewTask(String eventId, String job, int iteration, String item, String content, String contentSha256,
        LabeledPolicy a, LabeledPolicy b, String labeler, int requiredDecisions, Instant eventTime,
        byte[] iterationSummary) {
}
