package io.copeplatform.review.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.ClauseSpan;
import io.copeplatform.review.domain.CorrectVersion;
import io.copeplatform.review.domain.Decision;
import io.copeplatform.review.domain.JobQueue;
import io.copeplatform.review.domain.LabeledPolicy;
import io.copeplatform.review.domain.Lease;
import io.copeplatform.review.domain.NewTask;
import io.copeplatform.review.domain.PolicySide;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.domain.Task;
import io.copeplatform.review.domain.TaskState;

/** SQL of tasks, leases and decisions. Every method runs on the caller's connection, inside its transaction. */
@ApplicationScoped
public class TaskRepository {

    /** A live lease: not ended and not past its expiry (checked in every query: no background job needed). */
    private static final String LIVE = "l.end_time IS NULL AND l.expire_time > now()";

    private static final String TASK_COLUMNS = "t.id, t.job, t.iteration, t.item, t.content, t.content_sha256, "
            + "t.a_policy, t.a_policy_version, t.a_text, t.a_text_sha256, t.a_label, t.a_score, t.a_raw_answer, "
            + "t.b_policy, t.b_policy_version, t.b_text, t.b_text_sha256, t.b_label, t.b_score, t.b_raw_answer, "
            + "t.labeler, t.required_decisions, t.decision_count, t.state, t.gold_label, t.create_time, "
            + "t.update_time, t.close_time, (SELECT count(*) FROM review.leases l WHERE l.task_id = t.id AND " + LIVE
            + ") AS live_leases, t.seq";

    private static final String LEASE_COLUMNS = "id, task_id, reviewer, role, claim_time, expire_time, end_time, "
            + "end_reason, (end_time IS NULL AND expire_time > now()) AS live";

    /** A lease row with how it ended (null while open). */
    public record LeaseRow(Lease lease, Instant endTime, String endReason, boolean live) {
    }

    // ----------------------------------------------------------------------------------------------- intake

    /** Records an event id; false when it was processed before. */
    public boolean markEventProcessed(Connection c, String eventId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO review.processed_events (event_id, process_time) VALUES (?, now()) ON CONFLICT DO NOTHING")) {
            s.setString(1, eventId);
            return s.executeUpdate() == 1;
        }
    }

    /** Inserts a task; false when (job, iteration, item) already has one. */
    public boolean insertTask(Connection c, String id, NewTask t) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.tasks (id, job, iteration, item, content, "
                + "content_sha256, a_policy, a_policy_version, a_text, a_text_sha256, a_label, a_score, a_raw_answer, "
                + "b_policy, b_policy_version, b_text, b_text_sha256, b_label, b_score, b_raw_answer, labeler, "
                + "required_decisions, state, create_time, update_time) VALUES "
                + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'OPEN',now(),now()) ON CONFLICT DO NOTHING")) {
            int i = 1;
            s.setString(i++, id);
            s.setString(i++, t.job());
            s.setInt(i++, t.iteration());
            s.setString(i++, t.item());
            s.setString(i++, t.content());
            s.setString(i++, t.contentSha256());
            for (LabeledPolicy p : List.of(t.a(), t.b())) {
                s.setString(i++, p.policy());
                s.setString(i++, p.policyVersion());
                s.setString(i++, p.text());
                s.setString(i++, p.textSha256());
                s.setBoolean(i++, p.label());
                if (p.score() == null) {
                    s.setNull(i++, Types.DOUBLE);
                } else {
                    s.setDouble(i++, p.score());
                }
                s.setString(i++, p.rawAnswer());
            }
            s.setString(i++, t.labeler());
            s.setInt(i, t.requiredDecisions());
            return s.executeUpdate() == 1;
        }
    }

    public void upsertIterationSummary(Connection c, String job, int iteration, byte[] summary) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("INSERT INTO review.iteration_summaries (job, iteration, summary) "
                        + "VALUES (?, ?, ?) ON CONFLICT (job, iteration) DO UPDATE SET summary = EXCLUDED.summary")) {
            s.setString(1, job);
            s.setInt(2, iteration);
            s.setBytes(3, summary);
            s.executeUpdate();
        }
    }

    public List<byte[]> iterationSummaries(Connection c, String job) throws SQLException {
        List<byte[]> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT summary FROM review.iteration_summaries WHERE job = ? ORDER BY iteration")) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
        }
        return out;
    }

    // ----------------------------------------------------------------------------------------------- tasks

    public Optional<Task> find(Connection c, String id, boolean forUpdate) throws SQLException {
        if (forUpdate) {
            try (PreparedStatement lock = c.prepareStatement("SELECT 1 FROM review.tasks WHERE id = ? FOR UPDATE")) {
                lock.setString(1, id);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
        }
        try (PreparedStatement s = c
                .prepareStatement("SELECT " + TASK_COLUMNS + " FROM review.tasks t WHERE t.id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(task(rs)) : Optional.empty();
            }
        }
    }

    /**
     * Locks the oldest task that may have a free slot for {@code reviewer}, skipping rows other claims hold (or,
     * without {@code skipLocked}, waiting for them). The caller re-checks the slot count with a fresh statement: this
     * query's snapshot may predate a claim that committed just before the lock was taken.
     */
    public Optional<String> lockClaimCandidate(Connection c, String reviewer, String job, boolean escalated,
            Collection<String> skip, boolean skipLocked) throws SQLException {
        String capacity = escalated
                ? "NOT EXISTS (SELECT 1 FROM review.leases l WHERE l.task_id = t.id AND " + LIVE + ")"
                : "t.decision_count + (SELECT count(*) FROM review.leases l WHERE l.task_id = t.id AND " + LIVE
                        + ") < t.required_decisions";
        String sql = "SELECT t.id FROM review.tasks t WHERE t.state = ? AND (? = '' OR t.job = ?) "
                + "AND NOT (t.id = ANY (?)) "
                + "AND NOT EXISTS (SELECT 1 FROM review.decisions d WHERE d.task_id = t.id AND d.reviewer = ?) "
                + "AND NOT EXISTS (SELECT 1 FROM review.leases l WHERE l.task_id = t.id AND l.reviewer = ? AND " + LIVE
                + ") AND " + capacity + " ORDER BY t.seq LIMIT 1 FOR UPDATE OF t" + (skipLocked ? " SKIP LOCKED" : "");
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, escalated ? "ESCALATED" : "OPEN");
            s.setString(2, job);
            s.setString(3, job);
            s.setArray(4, c.createArrayOf("text", skip.toArray()));
            s.setString(5, reviewer);
            s.setString(6, reviewer);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    public void updateState(Connection c, String id, TaskState state, int decisionCount, Boolean gold)
            throws SQLException {
        boolean closing = state == TaskState.DONE || state == TaskState.CANCELLED;
        try (PreparedStatement s = c.prepareStatement("UPDATE review.tasks SET state = ?, decision_count = ?, "
                + "gold_label = ?, update_time = now(), close_time = CASE WHEN ? THEN now() ELSE close_time END "
                + "WHERE id = ?")) {
            s.setString(1, state.name());
            s.setInt(2, decisionCount);
            if (gold == null) {
                s.setNull(3, Types.BOOLEAN);
            } else {
                s.setBoolean(3, gold);
            }
            s.setBoolean(4, closing);
            s.setString(5, id);
            s.executeUpdate();
        }
    }

    /**
     * Cancels the job's tasks that are still OPEN or ESCALATED (of one iteration, or all when {@code iteration} is 0),
     * ending their live leases; returns the cancelled task ids.
     */
    public List<String> cancelOpenTasks(Connection c, String job, int iteration) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement s = c
                .prepareStatement("UPDATE review.tasks SET state = 'CANCELLED', update_time = now(), "
                        + "close_time = now() WHERE job = ? AND (? = 0 OR iteration = ?) AND state IN ('OPEN', 'ESCALATED') "
                        + "RETURNING id")) {
            s.setString(1, job);
            s.setInt(2, iteration);
            s.setInt(3, iteration);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        if (!ids.isEmpty()) {
            try (PreparedStatement s = c.prepareStatement("UPDATE review.leases SET end_time = now(), "
                    + "end_reason = 'WITHDRAWN' WHERE task_id = ANY (?) AND end_time IS NULL")) {
                s.setArray(1, c.createArrayOf("text", ids.toArray()));
                s.executeUpdate();
            }
        }
        return ids;
    }

    /** Marks a task as touched (so state-derived views and concurrent claims see the change). */
    public void touch(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE review.tasks SET update_time = now() WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }

    /**
     * One page of tasks, oldest first, after sequence {@code afterSeq}; {@code visibleTo} restricts to tasks the
     * reviewer leased or decided (null for all). Returns up to {@code limit + 1} rows (the extra one means "more").
     */
    public List<Task> list(Connection c, String job, TaskState state, Integer iteration, String visibleTo,
            long afterSeq, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT * FROM (SELECT " + TASK_COLUMNS
                + " FROM review.tasks t WHERE t.seq > ? AND (? = '' OR t.job = ?) AND (?::int IS NULL OR t.iteration = ?)");
        if (visibleTo != null) {
            sql.append(" AND (EXISTS (SELECT 1 FROM review.leases l WHERE l.task_id = t.id AND l.reviewer = ?)"
                    + " OR EXISTS (SELECT 1 FROM review.decisions d WHERE d.task_id = t.id AND d.reviewer = ?))");
        }
        sql.append(") x");
        if (state != null) {
            sql.append(" WHERE (CASE WHEN x.state = 'OPEN' AND x.decision_count + x.live_leases >= x.required_decisions"
                    + " THEN 'CLAIMED' ELSE x.state END) = ?");
        }
        sql.append(" ORDER BY x.seq LIMIT ?");
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int i = 1;
            s.setLong(i++, afterSeq);
            s.setString(i++, job);
            s.setString(i++, job);
            if (iteration == null) {
                s.setNull(i++, Types.INTEGER);
                s.setNull(i++, Types.INTEGER);
            } else {
                s.setInt(i++, iteration);
                s.setInt(i++, iteration);
            }
            if (visibleTo != null) {
                s.setString(i++, visibleTo);
                s.setString(i++, visibleTo);
            }
            if (state != null) {
                s.setString(i++, state.name());
            }
            s.setInt(i, limit + 1);
            List<Task> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(task(rs));
                }
            }
            return out;
        }
    }

    /** The sequence number of a task, for keyset paging. */
    public long seq(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT seq FROM review.tasks WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    public List<JobQueue> summary(Connection c, String job, String caller) throws SQLException {
        String sql = "SELECT x.job, "
                + "count(*) FILTER (WHERE x.state = 'OPEN' AND x.decision_count + x.live < x.required_decisions), "
                + "count(*) FILTER (WHERE x.state = 'OPEN' AND x.decision_count + x.live >= x.required_decisions), "
                + "count(*) FILTER (WHERE x.state = 'ESCALATED'), count(*) FILTER (WHERE x.state = 'DONE'), "
                + "count(*) FILTER (WHERE x.state = 'OPEN' AND x.decision_count + x.live < x.required_decisions "
                + "  AND NOT x.mine) "
                + "FROM (SELECT t.job, t.state, t.decision_count, t.required_decisions, "
                + "  (SELECT count(*) FROM review.leases l WHERE l.task_id = t.id AND " + LIVE + ") AS live, "
                + "  (EXISTS (SELECT 1 FROM review.decisions d WHERE d.task_id = t.id AND d.reviewer = ?) OR EXISTS "
                + "   (SELECT 1 FROM review.leases l WHERE l.task_id = t.id AND l.reviewer = ? AND " + LIVE
                + ")) AS mine FROM review.tasks t WHERE (? = '' OR t.job = ?)) x GROUP BY x.job";
        List<JobQueue> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, caller);
            s.setString(2, caller);
            s.setString(3, job);
            s.setString(4, job);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new JobQueue(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6)));
                }
            }
        }
        return out;
    }

    public boolean jobExists(Connection c, String job) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM review.tasks WHERE job = ? LIMIT 1")) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- leases

    public int liveLeaseCount(Connection c, String taskId) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("SELECT count(*) FROM review.leases l WHERE l.task_id = ? AND " + LIVE)) {
            s.setString(1, taskId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    public boolean hasDecided(Connection c, String taskId, String reviewer) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("SELECT 1 FROM review.decisions WHERE task_id = ? AND reviewer = ?")) {
            s.setString(1, taskId);
            s.setString(2, reviewer);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<Lease> liveLeaseOf(Connection c, String taskId, String reviewer) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + LEASE_COLUMNS
                + " FROM review.leases l WHERE l.task_id = ? AND l.reviewer = ? AND " + LIVE)) {
            s.setString(1, taskId);
            s.setString(2, reviewer);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(leaseRow(rs).lease()) : Optional.empty();
            }
        }
    }

    /** Closes the task's leases whose time ran out; returns them (for the audit log). */
    public List<Lease> closeExpiredLeases(Connection c, String taskId) throws SQLException {
        List<Lease> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("UPDATE review.leases SET end_time = expire_time, "
                + "end_reason = 'EXPIRED' WHERE task_id = ? AND end_time IS NULL AND expire_time <= now() RETURNING "
                + LEASE_COLUMNS)) {
            s.setString(1, taskId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(leaseRow(rs).lease());
                }
            }
        }
        return out;
    }

    public Lease insertLease(Connection c, String taskId, String reviewer, Role role, Duration duration)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.leases (id, task_id, reviewer, role, "
                + "claim_time, expire_time) VALUES (?, ?, ?, ?, now(), now() + make_interval(secs => ?)) RETURNING "
                + LEASE_COLUMNS)) {
            s.setObject(1, UUID.randomUUID());
            s.setString(2, taskId);
            s.setString(3, reviewer);
            s.setString(4, role.name());
            s.setDouble(5, duration.toMillis() / 1000.0);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return leaseRow(rs).lease();
            }
        }
    }

    public Optional<LeaseRow> findLease(Connection c, UUID id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + LEASE_COLUMNS + " FROM review.leases WHERE id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(leaseRow(rs)) : Optional.empty();
            }
        }
    }

    public void endLease(Connection c, String id, String reason) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("UPDATE review.leases SET end_time = now(), end_reason = ? WHERE id = ?")) {
            s.setString(1, reason);
            s.setObject(2, UUID.fromString(id));
            s.executeUpdate();
        }
    }

    public Lease renewLease(Connection c, String id, Duration duration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE review.leases SET expire_time = now() + "
                + "make_interval(secs => ?) WHERE id = ? RETURNING " + LEASE_COLUMNS)) {
            s.setDouble(1, duration.toMillis() / 1000.0);
            s.setObject(2, UUID.fromString(id));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return leaseRow(rs).lease();
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- decisions

    public List<Decision> decisions(Connection c, String taskId, String aText, String bText) throws SQLException {
        List<Decision> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id, task_id, reviewer, role, label, correct_version, "
                + "span_side, span_start, span_end, note, resolution, create_time FROM review.decisions "
                + "WHERE task_id = ? ORDER BY create_time, id")) {
            s.setString(1, taskId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(decision(rs, aText, bText));
                }
            }
        }
        return out;
    }

    public Optional<Decision> decision(Connection c, UUID id, String aText, String bText) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id, task_id, reviewer, role, label, correct_version, "
                + "span_side, span_start, span_end, note, resolution, create_time FROM review.decisions WHERE id = ?")) {
            s.setObject(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(decision(rs, aText, bText)) : Optional.empty();
            }
        }
    }

    public Decision insertDecision(Connection c, String taskId, String leaseId, String reviewer, Role role,
            boolean label, CorrectVersion version, ClauseSpan span, String note, boolean resolution,
            boolean causedEscalation, String aText, String bText) throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.decisions (id, task_id, lease_id, reviewer, "
                + "role, label, correct_version, span_side, span_start, span_end, note, resolution, caused_escalation, "
                + "create_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,now())")) {
            s.setObject(1, id);
            s.setString(2, taskId);
            s.setObject(3, UUID.fromString(leaseId));
            s.setString(4, reviewer);
            s.setString(5, role.name());
            s.setBoolean(6, label);
            s.setString(7, version.name());
            if (span == null) {
                s.setNull(8, Types.VARCHAR);
                s.setNull(9, Types.INTEGER);
                s.setNull(10, Types.INTEGER);
            } else {
                s.setString(8, span.side().name());
                s.setInt(9, span.start());
                s.setInt(10, span.end());
            }
            s.setString(11, note);
            s.setBoolean(12, resolution);
            s.setBoolean(13, causedEscalation);
            s.executeUpdate();
        }
        return decision(c, id, aText, bText).orElseThrow();
    }

    public void markCausedEscalation(Connection c, String decisionId) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("UPDATE review.decisions SET caused_escalation = true WHERE id = ?")) {
            s.setObject(1, UUID.fromString(decisionId));
            s.executeUpdate();
        }
    }

    // ----------------------------------------------------------------------------------------------- mapping

    private static Task task(ResultSet rs) throws SQLException {
        String state = rs.getString("state");
        int decided = rs.getInt("decision_count");
        int required = rs.getInt("required_decisions");
        TaskState derived = "OPEN".equals(state) && decided + rs.getInt("live_leases") >= required
                ? TaskState.CLAIMED
                : TaskState.valueOf(state);
        Boolean gold = rs.getBoolean("gold_label");
        if (rs.wasNull()) {
            gold = null;
        }
        return new Task(rs.getString("id"), rs.getString("job"), rs.getInt("iteration"), rs.getString("item"),
                rs.getString("content"), rs.getString("content_sha256"), policy(rs, "a_"), policy(rs, "b_"),
                rs.getString("labeler"), required, decided, derived, gold, instant(rs, "create_time"),
                instant(rs, "update_time"), instant(rs, "close_time"), null, List.of());
    }

    private static LabeledPolicy policy(ResultSet rs, String prefix) throws SQLException {
        double score = rs.getDouble(prefix + "score");
        Double boxed = rs.wasNull() ? null : score;
        return new LabeledPolicy(rs.getString(prefix + "policy"), rs.getString(prefix + "policy_version"),
                rs.getString(prefix + "text"), rs.getString(prefix + "text_sha256"), rs.getBoolean(prefix + "label"),
                boxed, rs.getString(prefix + "raw_answer"));
    }

    private static LeaseRow leaseRow(ResultSet rs) throws SQLException {
        Lease lease = new Lease(rs.getString("id"), rs.getString("task_id"), rs.getString("reviewer"),
                Role.valueOf(rs.getString("role")), instant(rs, "claim_time"), instant(rs, "expire_time"));
        return new LeaseRow(lease, instant(rs, "end_time"), rs.getString("end_reason"), rs.getBoolean("live"));
    }

    private static Decision decision(ResultSet rs, String aText, String bText) throws SQLException {
        String side = rs.getString("span_side");
        ClauseSpan span = null;
        String quoted = null;
        if (side != null) {
            span = new ClauseSpan(PolicySide.valueOf(side), rs.getInt("span_start"), rs.getInt("span_end"));
            quoted = span.quote(span.side() == PolicySide.A ? aText : bText);
        }
        return new Decision(rs.getString("id"), rs.getString("task_id"), rs.getString("reviewer"),
                Role.valueOf(rs.getString("role")), rs.getBoolean("label"),
                CorrectVersion.valueOf(rs.getString("correct_version")), span, quoted, rs.getString("note"),
                rs.getBoolean("resolution"), instant(rs, "create_time"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
