package io.copeplatform.review.repository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.AuditAction;
import io.copeplatform.review.domain.AuditEntry;
import io.copeplatform.review.domain.AuditFilter;
import io.copeplatform.review.domain.Role;

/** The append-only audit log. Entries are written in the transaction of the change they record. */
@ApplicationScoped
public class AuditRepository {

    public void append(Connection c, String actor, Role role, AuditAction action, String taskId, String job,
            String decisionId, String leaseId, Map<String, String> details) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.audit_events (event_time, actor, "
                + "actor_role, action, task_id, job, decision_id, lease_id, details) VALUES (now(),?,?,?,?,?,?,?,?)")) {
            s.setString(1, actor);
            s.setString(2, role == null ? null : role.name());
            s.setString(3, action.name());
            s.setString(4, taskId);
            s.setString(5, job);
            s.setObject(6, decisionId == null ? null : UUID.fromString(decisionId));
            s.setObject(7, leaseId == null ? null : UUID.fromString(leaseId));
            List<String> flat = new ArrayList<>();
            details.forEach((k, v) -> {
                flat.add(k);
                flat.add(v);
            });
            s.setArray(8, c.createArrayOf("text", flat.toArray()));
            s.executeUpdate();
        }
    }

    /** Newest first, entries with id below {@code beforeId}; up to {@code limit + 1} rows. */
    public List<AuditEntry> list(Connection c, AuditFilter f, long beforeId, int limit) throws SQLException {
        String sql = "SELECT id, event_time, actor, actor_role, action, task_id, job, decision_id, lease_id, details "
                + "FROM review.audit_events WHERE id < ? AND (? = '' OR job = ?) AND (? = '' OR task_id = ?) "
                + "AND (? = '' OR actor = ?) AND (? = '' OR action = ?) "
                + "AND (?::timestamptz IS NULL OR event_time >= ?) AND (?::timestamptz IS NULL OR event_time < ?) "
                + "ORDER BY id DESC LIMIT ?";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            s.setLong(i++, beforeId);
            for (String v : new String[]{f.job(), f.taskId(), f.actor(),
                    f.action() == null ? "" : f.action().name()}) {
                String value = v == null ? "" : v;
                s.setString(i++, value);
                s.setString(i++, value);
            }
            for (Instant t : new Instant[]{f.start(), f.end()}) {
                if (t == null) {
                    s.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
                    s.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    s.setTimestamp(i++, Timestamp.from(t));
                    s.setTimestamp(i++, Timestamp.from(t));
                }
            }
            s.setInt(i, limit + 1);
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String role = rs.getString("actor_role");
                    Map<String, String> details = new LinkedHashMap<>();
                    Array array = rs.getArray("details");
                    String[] flat = (String[]) array.getArray();
                    for (int k = 0; k + 1 < flat.length; k += 2) {
                        details.put(flat[k], flat[k + 1]);
                    }
                    out.add(new AuditEntry(rs.getLong("id"), TaskRepository.instant(rs, "event_time"),
                            rs.getString("actor"), role == null ? null : Role.valueOf(role),
                            AuditAction.valueOf(rs.getString("action")), rs.getString("task_id"), rs.getString("job"),
                            rs.getString("decision_id"), rs.getString("lease_id"), details));
                }
            }
            return out;
        }
    }
}
