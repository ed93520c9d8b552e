package io.copeplatform.labeling.domain;

import java.time.Duration;
import java.time.Instant;

/** A snapshot of a job's progress: counts of the current iteration, usage of the whole job. */
public record JobProgress(String jobId, JobState state, PauseReason pauseReason, int iteration, IterationPhase phase,
        long itemCount, long labeledCount, long mismatchCount, long reviewedCount, long malformedCount,
        AgreementStats agreement, Usage usage, Budget budget, Duration estimatedTimeRemaining, Instant updateTime) {
}
