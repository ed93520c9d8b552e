package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;
import io.copeplatform.labeling.domain.TrainingRow;
import io.copeplatform.labeling.domain.TrainingSet;

/**
 * Reads gold-labeled (content, policy text) pairs out of jobs, reviews and evaluations, as a stream: the selection and
 * its contradictory pairs (same content, opposite labels under different policy texts) are computed by PostgreSQL, and
 * the rows come through a server-side cursor, so the service holds one fetch of rows at a time whatever the size.
 */
@ApplicationScoped
public class TrainingRowRepository {

    /**
     * Each source as the same columns IN THE SAME ORDER (UNION ALL matches by position): o1..o5 (the export order),
     * policy_version, policy_text, policy_text_sha256, content, content_sha256, label, source, origin.
     */
    private static final String HUMAN_REVIEW = wordings("SELECT %s FROM labeling.reviews r "
            + "JOIN labeling.jobs j ON j.id = r.job_id "
            + "JOIN labeling.iterations it ON it.job_id = r.job_id AND it.iteration = r.iteration "
            + "JOIN labeling.dataset_items i ON i.dataset_id = j.dataset_id AND i.id = r.item_id "
            + "WHERE r.gold_label IS NOT NULL", "r.gold_label", "HUMAN_REVIEW", 1, "r.iteration");
    private static final String AGREEMENT = wordings("SELECT %s FROM labeling.labels a "
            + "JOIN labeling.labels b ON b.job_id = a.job_id AND b.iteration = a.iteration "
            + "AND b.item_id = a.item_id AND b.side = 'B' "
            + "JOIN labeling.jobs j ON j.id = a.job_id "
            + "JOIN labeling.iterations it ON it.job_id = a.job_id AND it.iteration = a.iteration "
            + "JOIN labeling.dataset_items i ON i.dataset_id = j.dataset_id AND i.id = a.item_id "
            + "WHERE a.side = 'A' AND a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label = b.label",
            "a.label", "BINOCULAR_AGREEMENT", 2, "a.iteration");
    private static final String DATASET_LABEL = "SELECT 3 AS o1, e.seq AS o2, 0 AS o3, i.seq AS o4, 0 AS o5, "
            + "COALESCE(e.resolved_version, '') AS policy_version, e.policy_text, "
            + "e.policy_sha256 AS policy_text_sha256, i.text AS content, i.content_sha256, "
            + "i.expected_label AS label, 'DATASET_LABEL' AS source, 'evaluations/' || e.id AS origin "
            + "FROM labeling.evaluation_labels l "
            + "JOIN labeling.evaluations e ON e.id = l.evaluation_id "
            + "JOIN labeling.dataset_items i ON i.dataset_id = e.dataset_id AND i.id = l.item_id "
            + "WHERE i.expected_label IS NOT NULL AND e.policy_text IS NOT NULL";

    private final AgroalDataSource dataSource;

    public TrainingRowRepository(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Both wordings of a binocular iteration as two rows (A: o5 = 0, B: o5 = 1). */
    private static String wordings(String from, String label, String source, int order, String iteration) {
        String common = "i.text AS content, i.content_sha256, %s AS label, '" + source + "' AS source, "
                + "'binocularJobs/' || j.id AS origin";
        String a = String.format(from, order + " AS o1, j.seq AS o2, " + iteration + " AS o3, i.seq AS o4, 0 AS o5, "
                + "COALESCE(it.a_version, '') AS policy_version, it.a_text AS policy_text, "
                + "it.a_sha256 AS policy_text_sha256, " + String.format(common, label));
        String b = String.format(from, order + " AS o1, j.seq AS o2, " + iteration + " AS o3, i.seq AS o4, 1 AS o5, "
                + "COALESCE(it.b_version, '') AS policy_version, it.b_text AS policy_text, "
                + "it.b_sha256 AS policy_text_sha256, " + String.format(common, label)) + " AND it.b_text IS NOT NULL";
        return a + " UNION ALL " + b;
    }

    /**
     * Opens an export: a read-only REPEATABLE READ transaction (the summary and the rows see one snapshot) holding the
     * cursor until {@link Export#close()}.
     *
     * @param origins
     *            {@code binocularJobs/{job}} / {@code evaluations/{evaluation}}; empty for all
     */
    public Export open(Set<String> sources, Set<String> origins, boolean contradictoryOnly, int fetchSize)
            throws SQLException {
        List<String> parts = new ArrayList<>();
        if (sources.contains("HUMAN_REVIEW")) {
            parts.add(HUMAN_REVIEW);
        }
        if (sources.contains("BINOCULAR_AGREEMENT")) {
            parts.add(AGREEMENT);
        }
        if (sources.contains("DATASET_LABEL")) {
            parts.add(DATASET_LABEL);
        }
        String selected = "WITH selected AS MATERIALIZED (SELECT * FROM (" + String.join(" UNION ALL ", parts)
                + ") u WHERE cardinality(?::text[]) = 0 OR u.origin = ANY (?::text[])), "
                + "contradicted AS (SELECT DISTINCT p.content_sha256 FROM selected p JOIN selected n "
                + "ON n.content_sha256 = p.content_sha256 AND p.label AND NOT n.label "
                + "AND n.policy_text_sha256 <> p.policy_text_sha256), "
                + "exported AS (SELECT s.*, (c.content_sha256 IS NOT NULL) AS contradictory FROM selected s "
                + "LEFT JOIN contradicted c ON c.content_sha256 = s.content_sha256 "
                + "WHERE NOT ? OR c.content_sha256 IS NOT NULL) ";
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            TrainingSet summary = summary(c, selected, origins, contradictoryOnly);
            PreparedStatement rows = c.prepareStatement(selected + "SELECT content, policy_version, policy_text, "
                    + "label, source, origin, content_sha256, policy_text_sha256, contradictory FROM exported "
                    + "ORDER BY o1, o2, o3, o4, o5");
            bind(c, rows, origins, contradictoryOnly);
            rows.setFetchSize(fetchSize);
            return new Export(c, rows, rows.executeQuery(), summary);
        } catch (SQLException | RuntimeException e) {
            close(c);
            throw e;
        }
    }

    private static TrainingSet summary(Connection c, String selected, Set<String> origins, boolean contradictoryOnly)
            throws SQLException {
        List<TrainingSet.PolicyCount> counts = new ArrayList<>();
        long rows = 0;
        try (PreparedStatement s = c.prepareStatement(selected + "SELECT policy_version, policy_text_sha256, count(*), "
                + "count(*) FILTER (WHERE label), count(*) FILTER (WHERE NOT label), "
                + "count(*) FILTER (WHERE contradictory) FROM exported GROUP BY 1, 2 "
                + "ORDER BY policy_version COLLATE \"C\", policy_text_sha256 COLLATE \"C\"")) {
            bind(c, s, origins, contradictoryOnly);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    counts.add(new TrainingSet.PolicyCount(r.getString(1), r.getString(2), r.getLong(3),
                            r.getLong(4), r.getLong(5), r.getLong(6)));
                    rows += r.getLong(3);
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(selected
                + "SELECT count(DISTINCT content_sha256) FROM exported WHERE contradictory")) {
            bind(c, s, origins, contradictoryOnly);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new TrainingSet(rows, r.getLong(1), counts);
            }
        }
    }

    private static void bind(Connection c, PreparedStatement s, Set<String> origins, boolean contradictoryOnly)
            throws SQLException {
        java.sql.Array array = c.createArrayOf("text", origins.toArray());
        s.setArray(1, array);
        s.setArray(2, array);
        s.setBoolean(3, contradictoryOnly);
    }

    private static void close(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // closing anyway
        }
        try {
            c.setReadOnly(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            c.setAutoCommit(true);
        } catch (SQLException e) {
            // closing anyway
        }
        try {
            c.close();
        } catch (SQLException e) {
            // nothing left to do
        }
    }

    /** An open export: its summary (known up front) and its rows, read on demand. Close it to free the connection. */
    public static final class Export implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;
        private final TrainingSet summary;
        private boolean closed;

        Export(Connection connection, PreparedStatement statement, ResultSet rows, TrainingSet summary) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
            this.summary = summary;
        }

        public TrainingSet summary() {
            return summary;
        }

        /** Up to {@code max} next rows; empty at the end. */
        public synchronized List<TrainingRow> next(int max) throws SQLException {
            List<TrainingRow> page = new ArrayList<>();
            while (!closed && page.size() < max && rows.next()) {
                page.add(new TrainingRow(rows.getString(1), rows.getString(2), rows.getString(3), rows.getBoolean(4),
                        rows.getString(5), rows.getString(6), rows.getString(7), rows.getString(8),
                        rows.getBoolean(9)));
            }
            return page;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                statement.close();
            } catch (SQLException e) {
                // the connection is closed below anyway
            }
            TrainingRowRepository.close(connection);
        }
    }
}
