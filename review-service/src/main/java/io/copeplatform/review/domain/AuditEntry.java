package io.copeplatform.review.domain;

import java.time.Instant;
import java.util.Map;

/** One entry of the append-only audit log; {@code role} is null for "system". */
public record AuditEntry(long id, Instant time, String actor, Role role, AuditAction action, String taskId, String job,
        String decisionId, String leaseId, Map<String, String> details) {
}
