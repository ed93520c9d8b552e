package io.copeplatform.labeling.service;

import java.sql.Connection;
import java.sql.SQLException;

import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.ItemLabel;
import io.copeplatform.labeling.domain.PolicySnapshot;

/**
 * Publishes a mismatch for human review ({@code review.tasks.v1}) through the outbox: the event is written with
 * {@code connection}, inside the caller's transaction. Implemented by messaging/.
 */
public interface ReviewTaskPublisher {

    /** Summary of the iteration when its labeling completed (for the reviewers' job chart). */
    record IterationSummary(int iteration, long labeledCount, long mismatchCount, AgreementStats agreement) {
    }

    void mismatch(Connection connection, String jobId, int iteration, DatasetItem item, PolicySnapshot policyA,
            ItemLabel labelA, PolicySnapshot policyB, ItemLabel labelB, int requiredDecisions, String labeler,
            IterationSummary summary) throws SQLException;

    /**
     * Withdraws the job's open review tasks (of {@code iteration}, or all when 0): review-service cancels them. Written
     * with {@code connection}, inside the caller's transaction (the one that cancels the job).
     */
    void withdraw(Connection connection, String jobId, int iteration, String reason) throws SQLException;
}
