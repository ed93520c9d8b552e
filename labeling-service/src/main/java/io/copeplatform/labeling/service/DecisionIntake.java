package io.copeplatform.labeling.service;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.repository.LabelRepository;
import io.copeplatform.labeling.repository.Transactions;

/**
 * Turns review decisions into findings (clause notes) and, when a review completes, gold labels. Idempotent: the event
 * id is recorded in the same transaction, so a redelivered decision changes nothing and none is ever lost.
 */
@ApplicationScoped
public class DecisionIntake {

    private static final Logger LOG = Logger.getLogger(DecisionIntake.class);

    /** What happened to one decision event. */
    public enum Outcome {
        RECORDED, DUPLICATE, UNKNOWN_ITEM
    }

    private final Transactions tx;
    private final LabelRepository labels;
    private final JobRunner runner;
    private final Clock clock = Clock.systemUTC();

    public DecisionIntake(Transactions tx, LabelRepository labels, JobRunner runner) {
        this.tx = tx;
        this.labels = labels;
        this.runner = runner;
    }

    /**
     * @param task
     *            the review task's resource name
     */
    public Outcome accept(ReviewFinding finding, String task) {
        Outcome outcome = tx.inTransaction(c -> {
            if (!labels.markProcessed(c, finding.eventId(), clock.instant())) {
                return Outcome.DUPLICATE;
            }
            if (!labels.reviewExists(c, finding.jobId(), finding.iteration(), finding.itemId())) {
                // Not a mismatch this service sent (or from a deleted job): remembered as processed, ignored.
                return Outcome.UNKNOWN_ITEM;
            }
            labels.insertFinding(c, finding);
            labels.updateReview(c, finding.jobId(), finding.iteration(), finding.itemId(), task,
                    finding.goldLabel());
            return Outcome.RECORDED;
        });
        if (outcome == Outcome.UNKNOWN_ITEM) {
            LOG.warnf("Decision %s names no review of this service (%s iteration %d item %s); ignored",
                    finding.eventId(), finding.jobId(), finding.iteration(), finding.itemId());
        }
        if (outcome == Outcome.RECORDED && finding.goldLabel() != null) {
            runner.wake();
        }
        return outcome;
    }
}
