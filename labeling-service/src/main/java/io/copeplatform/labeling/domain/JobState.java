package io.copeplatform.labeling.domain;

/** Lifecycle of a binocular job or an evaluation. */
public enum JobState {
    PENDING, RUNNING, WAITING_FOR_REVIEW, PAUSED, SUCCEEDED, FAILED, CANCELLED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
