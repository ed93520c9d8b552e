package io.copeplatform.labeling.domain;

import java.time.Instant;

/** A binocular job and where it stands. */
public record Job(JobSpec spec, JobState state, PauseReason pauseReason, boolean targetReached,
        String failureReason, String failureMessage, int currentIteration, Usage usage, String creator,
        Instant createTime, Instant startTime, Instant endTime, Instant updateTime) {

    public String id() {
        return spec.id();
    }

    public String name() {
        return Ids.JOBS + spec.id();
    }
}
