package io.copeplatform.review.domain;

/** Kind of an audited action. */
public enum AuditAction {
    TASK_CREATED, CLAIMED, RELEASED, LEASE_RENEWED, LEASE_EXPIRED, DECISION_SUBMITTED, ESCALATED, RESOLVED, TASK_CANCELLED
}
