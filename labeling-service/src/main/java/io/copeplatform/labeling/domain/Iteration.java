package io.copeplatform.labeling.domain;

import java.time.Instant;

/**
 * One iteration of a binocular job with its counts and agreement (null before any item is labeled).
 * {@code proposedText} is the refine step's proposal (null before it), {@code draftConflict} true when it could not be
 * saved as the draft.
 */
public record Iteration(String jobId, int iteration, IterationPhase phase, PolicySnapshot policyA,
        PolicySnapshot policyB, long itemCount, long labeledCount, long mismatchCount, long reviewedCount,
        long malformedCount, long failedCount, Usage usage, AgreementStats agreement, PolicySnapshot refinedDraft,
        Instant startTime, Instant endTime, String proposedText, boolean draftConflict) {
}
