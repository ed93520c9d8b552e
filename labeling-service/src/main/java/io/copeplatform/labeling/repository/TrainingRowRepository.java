package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.TrainingRow;

/** Reads gold-labeled (content, policy text) pairs out of jobs, reviews and evaluations. */
@ApplicationScoped
public class TrainingRowRepository {

    /** Human gold labels of binocular mismatches; one row per wording (both wordings mean the same). */
    public List<TrainingRow> humanReview(Connection c) throws SQLException {
        return wordings(c, "SELECT r.job_id, i.text, i.content_sha256, it.a_version, it.a_text, it.a_sha256, "
                + "it.b_version, it.b_text, it.b_sha256, r.gold_label FROM labeling.reviews r "
                + "JOIN labeling.jobs j ON j.id = r.job_id "
                + "JOIN labeling.iterations it ON it.job_id = r.job_id AND it.iteration = r.iteration "
                + "JOIN labeling.dataset_items i ON i.dataset_id = j.dataset_id AND i.id = r.item_id "
                + "WHERE r.gold_label IS NOT NULL ORDER BY j.seq, r.iteration, i.seq", "HUMAN_REVIEW");
    }

    /** Items both wordings labeled the same way, without review. */
    public List<TrainingRow> agreement(Connection c) throws SQLException {
        return wordings(c, "SELECT a.job_id, i.text, i.content_sha256, it.a_version, it.a_text, it.a_sha256, "
                + "it.b_version, it.b_text, it.b_sha256, a.label FROM labeling.labels a "
                + "JOIN labeling.labels b ON b.job_id = a.job_id AND b.iteration = a.iteration "
                + "AND b.item_id = a.item_id AND b.side = 'B' "
                + "JOIN labeling.jobs j ON j.id = a.job_id "
                + "JOIN labeling.iterations it ON it.job_id = a.job_id AND it.iteration = a.iteration "
                + "JOIN labeling.dataset_items i ON i.dataset_id = j.dataset_id AND i.id = a.item_id "
                + "WHERE a.side = 'A' AND a.outcome = 'LABELED' AND b.outcome = 'LABELED' AND a.label = b.label "
                + "ORDER BY j.seq, a.iteration, i.seq", "BINOCULAR_AGREEMENT");
    }

    /** Expected labels of evaluated items, under the evaluated policy text. */
    public List<TrainingRow> datasetLabels(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT e.id, i.text, i.content_sha256, e.resolved_version, "
                + "e.policy_text, e.policy_sha256, i.expected_label FROM labeling.evaluation_labels l "
                + "JOIN labeling.evaluations e ON e.id = l.evaluation_id "
                + "JOIN labeling.dataset_items i ON i.dataset_id = e.dataset_id AND i.id = l.item_id "
                + "WHERE i.expected_label IS NOT NULL AND e.policy_text IS NOT NULL ORDER BY e.seq, i.seq")) {
            List<TrainingRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new TrainingRow(r.getString(2), nullToEmpty(r.getString(4)), r.getString(5),
                            r.getBoolean(7), "DATASET_LABEL", "evaluations/" + r.getString(1), r.getString(3),
                            r.getString(6), false));
                }
            }
            return rows;
        }
    }

    private List<TrainingRow> wordings(Connection c, String sql, String source) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            List<TrainingRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String origin = "binocularJobs/" + r.getString(1);
                    boolean label = r.getBoolean(10);
                    rows.add(new TrainingRow(r.getString(2), nullToEmpty(r.getString(4)), r.getString(5), label,
                            source, origin, r.getString(3), r.getString(6), false));
                    if (r.getString(8) != null) {
                        rows.add(new TrainingRow(r.getString(2), nullToEmpty(r.getString(7)), r.getString(8), label,
                                source, origin, r.getString(3), r.getString(9), false));
                    }
                }
            }
            return rows;
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
