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
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

/** The reads behind agreement and reviewer statistics. */
@ApplicationScoped
public class StatsRepository {

    /** One non-resolution decision: task, reviewer, label, and whether it took its task into ESCALATED. */
    public record Rating(String taskId, String reviewer, boolean label, boolean causedEscalation,
            Instant createTime) {
    }

    /** Figures of one reviewer's leases in a window. */
    public record LeaseFigures(long released, long expired, Duration underLease, List<Duration> decisionTimes) {
    }

    /** How far the review of one iteration's mismatches got. */
    public record IterationProgress(int iteration, long tasks, long done, long escalated) {
    }

    /** Task counts per iteration of a job, oldest iteration first. */
    public List<IterationProgress> iterationProgress(Connection c, String job) throws SQLException {
        String sql = "SELECT iteration, count(*), count(*) FILTER (WHERE state = 'DONE'), "
                + "count(*) FILTER (WHERE state = 'ESCALATED') FROM review.tasks WHERE job = ? "
                + "GROUP BY iteration ORDER BY iteration";
        List<IterationProgress> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, job);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new IterationProgress(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
        }
        return out;
    }

    /** Non-resolution decisions on the job's tasks (optionally one iteration), ordered by task. */
    public List<Rating> jobRatings(Connection c, String job, Integer iteration) throws SQLException {
        String sql = "SELECT d.task_id, d.reviewer, d.label, d.caused_escalation, d.create_time FROM review.decisions d "
                + "JOIN review.tasks t ON t.id = d.task_id WHERE t.job = ? AND (?::int IS NULL OR t.iteration = ?) "
                + "AND NOT d.resolution ORDER BY d.task_id, d.create_time";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, job);
            setInt(s, 2, iteration);
            setInt(s, 3, iteration);
            return ratings(s);
        }
    }

    public long escalatedTasks(Connection c, String job, Integer iteration) throws SQLException {
        String sql = "SELECT count(DISTINCT d.task_id) FROM review.decisions d JOIN review.tasks t ON t.id = d.task_id "
                + "WHERE t.job = ? AND (?::int IS NULL OR t.iteration = ?) AND d.caused_escalation";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, job);
            setInt(s, 2, iteration);
            setInt(s, 3, iteration);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Non-resolution decisions on every task the reviewer decided in the window (the reviewer's own and the others'),
     * ordered by task.
     */
    public List<Rating> ratingsAround(Connection c, String reviewer, Instant start, Instant end) throws SQLException {
        String sql = "SELECT d.task_id, d.reviewer, d.label, d.caused_escalation, d.create_time FROM review.decisions d "
                + "WHERE NOT d.resolution AND d.task_id IN (SELECT m.task_id FROM review.decisions m WHERE "
                + "m.reviewer = ? AND m.create_time >= ? AND m.create_time < ?) ORDER BY d.task_id, d.create_time";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, reviewer);
            s.setTimestamp(2, Timestamp.from(start));
            s.setTimestamp(3, Timestamp.from(end));
            return ratings(s);
        }
    }

    /** All decisions (resolutions included) of the reviewer in the window. */
    public long decisionCount(Connection c, String reviewer, Instant start, Instant end) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM review.decisions WHERE reviewer = ? "
                + "AND create_time >= ? AND create_time < ?")) {
            s.setString(1, reviewer);
            s.setTimestamp(2, Timestamp.from(start));
            s.setTimestamp(3, Timestamp.from(end));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public LeaseFigures leaseFigures(Connection c, String reviewer, Instant start, Instant end) throws SQLException {
        String sql = "SELECT l.claim_time, l.expire_time, l.end_time, l.end_reason, "
                + "(l.end_time IS NULL AND l.expire_time <= now()) AS lapsed, d.create_time, "
                + "EXTRACT(EPOCH FROM (COALESCE(l.end_time, LEAST(l.expire_time, now())) - l.claim_time)) AS held "
                + "FROM review.leases l LEFT JOIN review.decisions d ON d.lease_id = l.id "
                + "WHERE l.reviewer = ? AND l.claim_time >= ? AND l.claim_time < ?";
        long released = 0;
        long expired = 0;
        double heldSeconds = 0;
        List<Duration> decisionTimes = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, reviewer);
            s.setTimestamp(2, Timestamp.from(start));
            s.setTimestamp(3, Timestamp.from(end));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String reason = rs.getString("end_reason");
                    if ("RELEASED".equals(reason)) {
                        released++;
                    }
                    if ("EXPIRED".equals(reason) || rs.getBoolean("lapsed")) {
                        expired++;
                    }
                    heldSeconds += Math.max(0, rs.getDouble("held"));
                    Instant claimed = TaskRepository.instant(rs, "claim_time");
                    Instant decided = TaskRepository.instant(rs, "create_time");
                    if (decided != null) {
                        decisionTimes.add(Duration.between(claimed, decided));
                    }
                }
            }
        }
        return new LeaseFigures(released, expired, Duration.ofMillis(Math.round(heldSeconds * 1000)), decisionTimes);
    }

    /** Whether the reviewer ever claimed a task. */
    public boolean reviewerExists(Connection c, String reviewer) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM review.leases WHERE reviewer = ? LIMIT 1")) {
            s.setString(1, reviewer);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static List<Rating> ratings(PreparedStatement s) throws SQLException {
        List<Rating> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(new Rating(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4),
                        TaskRepository.instant(rs, "create_time")));
            }
        }
        return out;
    }

    private static void setInt(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }
}
