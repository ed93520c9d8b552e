package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.Evaluation;
import io.copeplatform.labeling.domain.EvaluationResult;
import io.copeplatform.labeling.domain.EvaluationSpec;
import io.copeplatform.labeling.domain.JobState;
import io.copeplatform.labeling.domain.LabelOutcome;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.domain.Usage;

/** SQL of evaluations and their per-item answers. */
@ApplicationScoped
public class EvaluationRepository {

    private static final String COLUMNS = "id, spec, state, failure_reason, failure_message, resolved_version, "
            + "item_count, result, model, model_version, call_count, prompt_tokens, completion_tokens, retry_count, "
            + "malformed_count, failed_call_count, registry_recorded, creator, create_time, start_time, end_time, "
            + "request_hash, seq, policy_text, policy_sha256, policy";

    /** A stored evaluation with its list position, request hash and the policy text it used (null before start). */
    public record Stored(Evaluation evaluation, long seq, String requestHash, PolicySnapshot policy) {
    }

    /** One stored answer with the item's gold label. */
    public record ScoredItem(String itemId, LabelOutcome outcome, boolean label, Double score, boolean gold) {
    }

    public boolean insert(Connection c, EvaluationSpec spec, String policy, String creator, String requestId,
            String requestHash, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.evaluations (id, request_id, request_hash, "
                + "spec, policy, dataset_id, state, creator, create_time) VALUES (?, ?, ?, ?::jsonb, ?, ?, 'PENDING', "
                + "?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, spec.id());
            s.setString(2, requestId);
            s.setString(3, requestHash);
            s.setString(4, JobRepository.json(spec));
            s.setString(5, policy);
            s.setString(6, spec.datasetId());
            s.setString(7, creator);
            s.setTimestamp(8, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    public Optional<Stored> find(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM labeling.evaluations WHERE id = ?", id);
    }

    public Optional<Stored> findByRequestId(Connection c, String requestId) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM labeling.evaluations WHERE request_id = ?", requestId);
    }

    public List<Stored> list(Connection c, long beforeSeq, String policy, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM labeling.evaluations WHERE seq < ? "
                + "AND (?::text IS NULL OR policy = ?) ORDER BY seq DESC LIMIT ?")) {
            s.setLong(1, beforeSeq);
            s.setString(2, policy);
            s.setString(3, policy);
            s.setInt(4, limit);
            return all(s);
        }
    }

    private static final Leases LEASES = new Leases("evaluations");

    /** The lease columns of {@code labeling.evaluations}: which replica runs which row. */
    public Leases leases() {
        return LEASES;
    }

    public List<String> idsInStates(Connection c, List<JobState> states) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM labeling.evaluations WHERE state = ANY (?) "
                + "ORDER BY seq")) {
            s.setArray(1, c.createArrayOf("text", states.stream().map(Enum::name).toArray()));
            List<String> ids = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
            return ids;
        }
    }

    /** PENDING -> RUNNING with the resolved policy text (kept on restart: resolved once). */
    public void start(Connection c, String id, PolicySnapshot policy, long itemCount, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.evaluations SET state = 'RUNNING', "
                + "resolved_version = ?, policy_text = ?, policy_sha256 = ?, item_count = ?, start_time = ? "
                + "WHERE id = ? AND state = 'PENDING'")) {
            s.setString(1, policy.version());
            s.setString(2, policy.text());
            s.setString(3, policy.sha256());
            s.setLong(4, itemCount);
            s.setTimestamp(5, Timestamp.from(now));
            s.setString(6, id);
            s.executeUpdate();
        }
    }

    public boolean insertLabel(Connection c, String id, String itemId, Answer a) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.evaluation_labels (evaluation_id, item_id, "
                + "outcome, label, score, raw_answer, prompt_tokens, completion_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING")) {
            s.setString(1, id);
            s.setString(2, itemId);
            s.setString(3, a.outcome().name());
            s.setBoolean(4, a.label());
            if (a.score() == null) {
                s.setNull(5, Types.DOUBLE);
            } else {
                s.setDouble(5, a.score());
            }
            s.setString(6, a.rawAnswer() == null ? "" : a.rawAnswer());
            s.setLong(7, a.promptTokens());
            s.setLong(8, a.completionTokens());
            return s.executeUpdate() == 1;
        }
    }

    public void recordUsage(Connection c, String id, Usage usage, String model, String modelVersion)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.evaluations SET "
                + "call_count = GREATEST(call_count, ?), prompt_tokens = GREATEST(prompt_tokens, ?), "
                + "completion_tokens = GREATEST(completion_tokens, ?), retry_count = GREATEST(retry_count, ?), "
                + "malformed_count = GREATEST(malformed_count, ?), failed_call_count = GREATEST(failed_call_count, ?), "
                + "model = CASE WHEN ? = '' THEN model ELSE ? END, "
                + "model_version = CASE WHEN ? = '' THEN model_version ELSE ? END WHERE id = ?")) {
            s.setLong(1, usage.callCount());
            s.setLong(2, usage.promptTokens());
            s.setLong(3, usage.completionTokens());
            s.setLong(4, usage.retryCount());
            s.setLong(5, usage.malformedCount());
            s.setLong(6, usage.failedCallCount());
            s.setString(7, model);
            s.setString(8, model);
            s.setString(9, modelVersion);
            s.setString(10, modelVersion);
            s.setString(11, id);
            s.executeUpdate();
        }
    }

    /** item id -> whether an answer is stored. */
    public Map<String, Boolean> labeledItems(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT item_id FROM labeling.evaluation_labels "
                + "WHERE evaluation_id = ?")) {
            s.setString(1, id);
            Map<String, Boolean> done = new HashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    done.put(r.getString(1), Boolean.TRUE);
                }
            }
            return done;
        }
    }

    public List<ScoredItem> scoredItems(Connection c, String id, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT l.item_id, l.outcome, l.label, l.score, "
                + "i.expected_label FROM labeling.evaluation_labels l JOIN labeling.dataset_items i "
                + "ON i.dataset_id = ? AND i.id = l.item_id WHERE l.evaluation_id = ? ORDER BY i.seq")) {
            s.setString(1, datasetId);
            s.setString(2, id);
            List<ScoredItem> items = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    items.add(new ScoredItem(r.getString(1), LabelOutcome.valueOf(r.getString(2)), r.getBoolean(3),
                            (Double) r.getObject(4), r.getBoolean(5)));
                }
            }
            return items;
        }
    }

    public void finish(Connection c, String id, JobState state, EvaluationResult result, String failureReason,
            String failureMessage, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.evaluations SET state = ?, result = ?::jsonb, "
                + "failure_reason = ?, failure_message = ?, end_time = ? WHERE id = ?")) {
            s.setString(1, state.name());
            s.setString(2, result == null ? null : JobRepository.json(result));
            s.setString(3, failureReason);
            s.setString(4, failureMessage);
            s.setTimestamp(5, Timestamp.from(now));
            s.setString(6, id);
            s.executeUpdate();
        }
    }

    public void markRecorded(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.evaluations SET registry_recorded = true "
                + "WHERE id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
        }
    }

    private Optional<Stored> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            List<Stored> all = all(s);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
        }
    }

    private List<Stored> all(PreparedStatement s) throws SQLException {
        List<Stored> result = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                try {
                    EvaluationSpec spec = JobRepository.JSON.readValue(r.getString(2), EvaluationSpec.class);
                    String resultJson = r.getString(8);
                    EvaluationResult evaluationResult = resultJson == null
                            ? null
                            : JobRepository.JSON.readValue(resultJson, EvaluationResult.class);
                    Timestamp start = r.getTimestamp(20);
                    Timestamp end = r.getTimestamp(21);
                    Evaluation evaluation = new Evaluation(spec, JobState.valueOf(r.getString(3)), r.getString(4),
                            r.getString(5), r.getString(6), r.getLong(7), evaluationResult, r.getString(9),
                            r.getString(10), new Usage(r.getLong(11), r.getLong(12), r.getLong(13), r.getLong(14),
                                    r.getLong(15), r.getLong(16)),
                            r.getBoolean(17), r.getString(18), r.getTimestamp(19).toInstant(),
                            start == null ? null : start.toInstant(), end == null ? null : end.toInstant());
                    PolicySnapshot policy = r.getString(24) == null
                            ? null
                            : new PolicySnapshot(r.getString(26), r.getString(6) == null ? "" : r.getString(6), "",
                                    r.getString(24), r.getString(25));
                    result.add(new Stored(evaluation, r.getLong(23), r.getString(22), policy));
                } catch (JsonProcessingException e) {
                    throw new SQLException("Unreadable evaluation " + r.getString(1), e);
                }
            }
        }
        return result;
    }
}
