package io.copeplatform.review.domain;

/** Queue state of a task; CLAIMED is derived from live leases, never stored. */
public enum TaskState {
    OPEN, CLAIMED, ESCALATED, DONE, CANCELLED
}
