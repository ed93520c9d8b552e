package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.BinocularLabel;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.ItemLabel;
import io.copeplatform.labeling.domain.LabelOutcome;
import io.copeplatform.labeling.domain.ReviewFinding;

/** SQL of per-item labels, review rows, reviewer findings and processed event ids. */
@ApplicationScoped
public class LabelRepository {

    /** Counts of one iteration; the 2x2 table covers items LABELED under both wordings. */
    public record Counts(long labeledBoth, long bothPositive, long onlyA, long onlyB, long bothNegative,
            long malformedItems, long failedItems, long reviewed, long reviewPending, long labelsStored) {

        public long mismatches() {
            return onlyA + onlyB;
        }
    }

    /** A mismatched item with both answers. */
    public record Mismatch(DatasetItem item, ItemLabel a, ItemLabel b) {
    }

    /**
     * Stores one answer; false when (job, iteration, item, side) was already labeled (the primary key is what makes a
     * resumed job never label twice).
     */
    public boolean insertLabel(Connection c, String jobId, int iteration, String itemId, char side, Answer a,
            Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.labels (job_id, iteration, item_id, side, "
                + "outcome, label, score, raw_answer, attempt_count, prompt_tokens, completion_tokens, error_message, "
                + "label_time, model, model_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            s.setString(3, itemId);
            s.setString(4, String.valueOf(side));
            s.setString(5, a.outcome().name());
            s.setBoolean(6, a.label());
            if (a.score() == null) {
                s.setNull(7, Types.DOUBLE);
            } else {
                s.setDouble(7, a.score());
            }
            s.setString(8, a.rawAnswer() == null ? "" : a.rawAnswer());
            s.setInt(9, a.attemptCount());
            s.setLong(10, a.promptTokens());
            s.setLong(11, a.completionTokens());
            s.setString(12, a.errorMessage() == null ? "" : a.errorMessage());
            s.setTimestamp(13, Timestamp.from(now));
            s.setString(14, a.model() == null ? "" : a.model());
            s.setString(15, a.modelVersion() == null ? "" : a.modelVersion());
            return s.executeUpdate() == 1;
        }
    }

    /** The distinct models ("name@version", or "name") that produced the iteration's LABELED answers, sorted. */
    public List<String> models(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT CASE WHEN model_version = '' THEN model "
                + "ELSE model || '@' || model_version END m FROM labeling.labels WHERE job_id = ? AND iteration = ? "
                + "AND outcome = 'LABELED' AND model <> '' ORDER BY m")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            List<String> models = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    models.add(r.getString(1));
                }
            }
            return models;
        }
    }

    /** "itemId/side" of every stored label of the iteration. */
    public Set<String> labeledSides(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT item_id, side FROM labeling.labels WHERE job_id = ? "
                + "AND iteration = ?")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            Set<String> done = new HashSet<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    done.add(r.getString(1) + "/" + r.getString(2));
                }
            }
            return done;
        }
    }

    public Counts counts(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT "
                + "count(*) FILTER (WHERE a.outcome = 'LABELED' AND b.outcome = 'LABELED'), "
                + "count(*) FILTER (WHERE a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label AND b.label), "
                + "count(*) FILTER (WHERE a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label AND NOT b.label), "
                + "count(*) FILTER (WHERE a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND NOT a.label AND b.label), "
                + "count(*) FILTER (WHERE a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND NOT a.label "
                + "AND NOT b.label), "
                + "count(*) FILTER (WHERE (a.outcome = 'MALFORMED' OR b.outcome = 'MALFORMED')), "
                + "count(*) FILTER (WHERE (a.outcome = 'FAILED' OR b.outcome = 'FAILED') AND a.outcome <> 'MALFORMED' "
                + "AND b.outcome <> 'MALFORMED') "
                + "FROM labeling.labels a JOIN labeling.labels b ON b.job_id = a.job_id AND b.iteration = a.iteration "
                + "AND b.item_id = a.item_id AND b.side = 'B' WHERE a.job_id = ? AND a.iteration = ? AND a.side = 'A'")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long[] reviews = reviewCounts(c, jobId, iteration);
                return new Counts(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6),
                        r.getLong(7), reviews[0], reviews[1], labelCount(c, jobId, iteration));
            }
        }
    }

    private long labelCount(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM labeling.labels WHERE job_id = ? "
                + "AND iteration = ?")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Mismatches of the job (any iteration) sent to review whose gold label is not known yet. */
    public long pendingReviews(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM labeling.reviews WHERE job_id = ? "
                + "AND gold_label IS NULL")) {
            s.setString(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private long[] reviewCounts(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE gold_label IS NOT NULL), "
                + "count(*) FILTER (WHERE gold_label IS NULL) FROM labeling.reviews WHERE job_id = ? "
                + "AND iteration = ?")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new long[]{r.getLong(1), r.getLong(2)};
            }
        }
    }

    public List<Mismatch> mismatches(Connection c, String jobId, int iteration, String datasetId)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT i.dataset_id, i.id, i.text, i.content_sha256, "
                + "i.external_id, i.expected_label, i.create_time, " + labelColumns("a") + ", " + labelColumns("b")
                + " FROM labeling.labels a JOIN labeling.labels b ON b.job_id = a.job_id AND b.iteration = a.iteration "
                + "AND b.item_id = a.item_id AND b.side = 'B' JOIN labeling.dataset_items i ON i.dataset_id = ? "
                + "AND i.id = a.item_id WHERE a.job_id = ? AND a.iteration = ? AND a.side = 'A' "
                + "AND a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label <> b.label ORDER BY i.seq")) {
            s.setString(1, datasetId);
            s.setString(2, jobId);
            s.setInt(3, iteration);
            List<Mismatch> result = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(new Mismatch(DatasetRepository.item(r, 1), label(r, 8), label(r, 8 + LABEL_COLUMNS)));
                }
            }
            return result;
        }
    }

    public void insertReview(Connection c, String jobId, int iteration, String itemId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.reviews (job_id, iteration, item_id) "
                + "VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            s.setString(3, itemId);
            s.executeUpdate();
        }
    }

    public boolean reviewExists(Connection c, String jobId, int iteration, String itemId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM labeling.reviews WHERE job_id = ? "
                + "AND iteration = ? AND item_id = ? FOR UPDATE")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            s.setString(3, itemId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Records the task name and, when the review completed, the gold label. */
    public void updateReview(Connection c, String jobId, int iteration, String itemId, String task, Boolean gold)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.reviews SET task = ?, "
                + "gold_label = COALESCE(?, gold_label) WHERE job_id = ? AND iteration = ? AND item_id = ?")) {
            s.setString(1, task);
            if (gold == null) {
                s.setNull(2, Types.BOOLEAN);
            } else {
                s.setBoolean(2, gold);
            }
            s.setString(3, jobId);
            s.setInt(4, iteration);
            s.setString(5, itemId);
            s.executeUpdate();
        }
    }

    /** True the first time {@code eventId} is seen (the consumer's idempotency). */
    public boolean markProcessed(Connection c, String eventId, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.processed_events (event_id, process_time) "
                + "VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, eventId);
            s.setTimestamp(2, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    public void insertFinding(Connection c, ReviewFinding f) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.findings (event_id, job_id, iteration, "
                + "item_id, decision, reviewer, label, correct_version, clause_side, clause_start, clause_end, "
                + "clause_text, note, resolution, decide_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            s.setString(1, f.eventId());
            s.setString(2, f.jobId());
            s.setInt(3, f.iteration());
            s.setString(4, f.itemId());
            s.setString(5, f.decision());
            s.setString(6, f.reviewer());
            s.setBoolean(7, f.label());
            s.setString(8, f.correctVersion());
            s.setString(9, f.clauseSide());
            s.setObject(10, f.clauseStart(), Types.INTEGER);
            s.setObject(11, f.clauseEnd(), Types.INTEGER);
            s.setString(12, f.clauseText());
            s.setString(13, f.note());
            s.setBoolean(14, f.resolution());
            s.setTimestamp(15, Timestamp.from(f.decideTime()));
            s.executeUpdate();
        }
    }

    /** Findings of an iteration (all items), in decision order. */
    public List<ReviewFinding> findings(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT event_id, job_id, iteration, item_id, decision, "
                + "reviewer, label, correct_version, clause_side, clause_start, clause_end, clause_text, note, "
                + "resolution, decide_time FROM labeling.findings WHERE job_id = ? AND iteration = ? "
                + "ORDER BY decide_time, event_id")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            List<ReviewFinding> result = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(new ReviewFinding(r.getString(1), r.getString(2), r.getInt(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getBoolean(7), r.getString(8), r.getString(9),
                            (Integer) r.getObject(10), (Integer) r.getObject(11), r.getString(12), r.getString(13),
                            r.getBoolean(14), r.getTimestamp(15).toInstant(), null));
                }
            }
            return result;
        }
    }

    /**
     * Labels of one iteration (or all when {@code iteration} is 0), ordered by (iteration, item import order), after
     * the cursor {@code (afterIteration, afterSeq)}.
     */
    public List<Positioned> labels(Connection c, String jobId, int iteration, boolean mismatchesOnly,
            int afterIteration, long afterSeq, int limit, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT a.iteration, i.seq, i.id, i.content_sha256, "
                + labelColumns("a") + ", " + labelColumns("b") + ", rv.task, rv.gold_label, (rv.item_id IS NOT NULL) "
                + "FROM labeling.labels a LEFT JOIN labeling.labels b ON b.job_id = a.job_id "
                + "AND b.iteration = a.iteration AND b.item_id = a.item_id AND b.side = 'B' "
                + "JOIN labeling.dataset_items i ON i.dataset_id = ? AND i.id = a.item_id "
                + "LEFT JOIN labeling.reviews rv ON rv.job_id = a.job_id AND rv.iteration = a.iteration "
                + "AND rv.item_id = a.item_id "
                + "WHERE a.job_id = ? AND a.side = 'A' AND (? = 0 OR a.iteration = ?) AND (a.iteration, i.seq) > (?, ?) "
                + "AND (NOT ? OR (a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label <> b.label)) "
                + "ORDER BY a.iteration, i.seq LIMIT ?")) {
            s.setString(1, datasetId);
            s.setString(2, jobId);
            s.setInt(3, iteration);
            s.setInt(4, iteration);
            s.setInt(5, afterIteration);
            s.setLong(6, afterSeq);
            s.setBoolean(7, mismatchesOnly);
            s.setInt(8, limit);
            List<Positioned> rows = new ArrayList<>();
            Map<String, BinocularLabel> byKey = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ItemLabel a = label(r, 5);
                    int bFrom = 5 + LABEL_COLUMNS;
                    int reviewFrom = bFrom + LABEL_COLUMNS;
                    ItemLabel b = r.getString(bFrom) == null ? null : label(r, bFrom);
                    boolean mismatch = b != null && a.outcome() == LabelOutcome.LABELED
                            && b.outcome() == LabelOutcome.LABELED && a.label() != b.label();
                    boolean reviewRow = r.getBoolean(reviewFrom + 2);
                    boolean goldKnown = r.getObject(reviewFrom + 1) != null;
                    BinocularLabel label = new BinocularLabel(jobId, r.getInt(1), datasetId, r.getString(3),
                            r.getString(4), a, b, mismatch, reviewRow && !goldKnown, r.getString(reviewFrom),
                            goldKnown ? r.getBoolean(reviewFrom + 1) : null, new ArrayList<>());
                    rows.add(new Positioned(r.getInt(1), r.getLong(2), label));
                    byKey.put(label.iteration() + "/" + label.itemId(), label);
                }
            }
            if (!byKey.isEmpty()) {
                try (PreparedStatement f = c.prepareStatement("SELECT event_id, job_id, iteration, item_id, decision, "
                        + "reviewer, label, correct_version, clause_side, clause_start, clause_end, clause_text, note, "
                        + "resolution, decide_time FROM labeling.findings WHERE job_id = ? ORDER BY decide_time")) {
                    f.setString(1, jobId);
                    try (ResultSet r = f.executeQuery()) {
                        while (r.next()) {
                            BinocularLabel label = byKey.get(r.getInt(3) + "/" + r.getString(4));
                            if (label != null) {
                                label.findings().add(new ReviewFinding(r.getString(1), r.getString(2), r.getInt(3),
                                        r.getString(4), r.getString(5), r.getString(6), r.getBoolean(7),
                                        r.getString(8), r.getString(9), (Integer) r.getObject(10),
                                        (Integer) r.getObject(11), r.getString(12), r.getString(13),
                                        r.getBoolean(14), r.getTimestamp(15).toInstant(), null));
                            }
                        }
                    }
                }
            }
            return rows;
        }
    }

    /** A label with its list position. */
    public record Positioned(int iteration, long seq, BinocularLabel label) {
    }

    private static final List<String> LABEL_COLUMN_NAMES = List.of("outcome", "label", "score", "raw_answer",
            "attempt_count", "prompt_tokens", "completion_tokens", "error_message", "label_time", "model",
            "model_version");
    private static final int LABEL_COLUMNS = LABEL_COLUMN_NAMES.size();

    private static String labelColumns(String alias) {
        return String.join(", ", LABEL_COLUMN_NAMES.stream().map(col -> alias + "." + col).toList());
    }

    private static ItemLabel label(ResultSet r, int from) throws SQLException {
        return new ItemLabel(LabelOutcome.valueOf(r.getString(from)), r.getBoolean(from + 1),
                (Double) r.getObject(from + 2), r.getString(from + 3), r.getInt(from + 4), r.getLong(from + 5),
                r.getLong(from + 6), r.getString(from + 7), r.getTimestamp(from + 8).toInstant(),
                r.getString(from + 9), r.getString(from + 10));
    }
}
