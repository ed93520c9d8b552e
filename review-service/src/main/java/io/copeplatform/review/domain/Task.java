package io.copeplatform.review.domain;

import java.time.Instant;
import java.util.List;

/**
 * A review task as one caller sees it: {@code callerLease} is the caller's live lease (null when none) and
 * {@code decisions} only those the caller may read.
 */
public record Task(String id, String job, int iteration, String item, String content, String contentSha256,
        LabeledPolicy a, LabeledPolicy b, String labeler, int requiredDecisions, int decisionCount, TaskState state,
        Boolean goldLabel, Instant createTime, Instant updateTime, Instant closeTime, Lease callerLease,
        List<Decision> decisions) {

    public Task withView(Lease lease, List<Decision> visible) {
        return new Task(id, job, iteration, item, content, contentSha256, a, b, labeler, requiredDecisions,
                decisionCount, state, goldLabel, createTime, updateTime, closeTime, lease, List.copyOf(visible));
    }

    public String policyText(PolicySide side) {
        return side == PolicySide.A ? a.text() : b.text();
    }
}
