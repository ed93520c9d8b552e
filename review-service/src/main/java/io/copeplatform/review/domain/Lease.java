package io.copeplatform.review.domain;

import java.time.Instant;

/** A reviewer's time-limited claim on one decision slot of a task. */
public record Lease(String id, String taskId, String reviewer, Role role, Instant claimTime, Instant expireTime) {
}
