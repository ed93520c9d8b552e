package io.copeplatform.review.domain;

import java.time.Instant;

/** Filters of an audit listing; null or empty means "any". */
public record AuditFilter(String job, String taskId, String actor, AuditAction action, Instant start, Instant end) {
}
