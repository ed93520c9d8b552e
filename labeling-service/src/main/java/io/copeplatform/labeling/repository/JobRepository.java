package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.Budget;
import io.copeplatform.labeling.domain.IterationPhase;
import io.copeplatform.labeling.domain.Job;
import io.copeplatform.labeling.domain.JobSpec;
import io.copeplatform.labeling.domain.JobState;
import io.copeplatform.labeling.domain.PauseReason;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.domain.Usage;

/** SQL of binocular jobs and their iterations. Labels and reviews live in {@link LabelRepository}. */
@ApplicationScoped
public class JobRepository {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static final String JOB_COLUMNS = "id, spec, state, pause_reason, target_reached, failure_reason, "
            + "failure_message, current_iteration, call_count, prompt_tokens, completion_tokens, retry_count, "
            + "malformed_count, failed_call_count, creator, create_time, start_time, end_time, update_time, "
            + "request_hash, seq";

    /** A stored job with its list position and the hash of the request that created it. */
    public record Stored(Job job, long seq, String requestHash) {
    }

    public boolean insert(Connection c, JobSpec spec, String creator, String requestId, String requestHash,
            String policyAPolicy, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.jobs (id, request_id, request_hash, spec, "
                + "dataset_id, policy_a_policy, max_calls, max_tokens, state, creator, create_time, update_time) "
                + "VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, 'PENDING', ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, spec.id());
            s.setString(2, requestId);
            s.setString(3, requestHash);
            s.setString(4, json(spec));
            s.setString(5, spec.datasetId());
            s.setString(6, policyAPolicy);
            s.setLong(7, spec.budget().maxCalls());
            s.setLong(8, spec.budget().maxTokens());
            s.setString(9, creator);
            s.setTimestamp(10, Timestamp.from(now));
            s.setTimestamp(11, Timestamp.from(now));
            return s.executeUpdate() == 1;
        }
    }

    public Optional<Stored> find(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + JOB_COLUMNS + " FROM labeling.jobs WHERE id = ?", id);
    }

    public Optional<Stored> findForUpdate(Connection c, String id) throws SQLException {
        return one(c, "SELECT " + JOB_COLUMNS + " FROM labeling.jobs WHERE id = ? FOR UPDATE", id);
    }

    public Optional<Stored> findByRequestId(Connection c, String requestId) throws SQLException {
        return one(c, "SELECT " + JOB_COLUMNS + " FROM labeling.jobs WHERE request_id = ?", requestId);
    }

    /** Jobs newest first, before list position {@code beforeSeq}, with optional filters (null = any). */
    public List<Stored> list(Connection c, long beforeSeq, String state, String datasetId, String policy, int limit)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM labeling.jobs WHERE seq < ? "
                + "AND (?::text IS NULL OR state = ?) AND (?::text IS NULL OR dataset_id = ?) "
                + "AND (?::text IS NULL OR policy_a_policy = ?) ORDER BY seq DESC LIMIT ?")) {
            s.setLong(1, beforeSeq);
            s.setString(2, state);
            s.setString(3, state);
            s.setString(4, datasetId);
            s.setString(5, datasetId);
            s.setString(6, policy);
            s.setString(7, policy);
            s.setInt(8, limit);
            return all(s);
        }
    }

    private static final Leases LEASES = new Leases("jobs");

    /** The lease columns of {@code labeling.jobs}: which replica runs which row. */
    public Leases leases() {
        return LEASES;
    }

    /** Ids of jobs in the given states. */
    public List<String> idsInStates(Connection c, List<JobState> states) throws SQLException {
        try (PreparedStatement s = c
                .prepareStatement("SELECT id FROM labeling.jobs WHERE state = ANY (?) ORDER BY seq")) {
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

    public void setState(Connection c, String id, JobState state, PauseReason pause, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.jobs SET state = ?, pause_reason = ?, "
                + "update_time = ?, start_time = COALESCE(start_time, CASE WHEN ? = 'RUNNING' THEN CAST(? AS timestamptz) END), "
                + "end_time = CASE WHEN ? IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN CAST(? AS timestamptz) ELSE end_time END "
                + "WHERE id = ?")) {
            s.setString(1, state.name());
            s.setString(2, pause == null ? null : pause.name());
            s.setTimestamp(3, Timestamp.from(now));
            s.setString(4, state.name());
            s.setTimestamp(5, Timestamp.from(now));
            s.setString(6, state.name());
            s.setTimestamp(7, Timestamp.from(now));
            s.setString(8, id);
            s.executeUpdate();
        }
    }

    public void finish(Connection c, String id, JobState state, boolean targetReached, String failureReason,
            String failureMessage, Instant now) throws SQLException {
        setState(c, id, state, null, now);
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.jobs SET target_reached = ?, "
                + "failure_reason = ?, failure_message = ? WHERE id = ?")) {
            s.setBoolean(1, targetReached);
            s.setString(2, failureReason);
            s.setString(3, failureMessage);
            s.setString(4, id);
            s.executeUpdate();
        }
    }

    public void setBudget(Connection c, String id, JobSpec spec, Budget budget) throws SQLException {
        JobSpec updated = new JobSpec(spec.id(), spec.displayName(), spec.datasetId(), spec.policyARef(),
                spec.policyBRef(), spec.paraphrase(), spec.labeler(), spec.refiner(), spec.targetAgreement(),
                spec.maxIterations(), budget, spec.reviewOverlap(), spec.continueAfterRefine());
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.jobs SET spec = ?::jsonb, max_calls = ?, "
                + "max_tokens = ? WHERE id = ?")) {
            s.setString(1, json(updated));
            s.setLong(2, budget.maxCalls());
            s.setLong(3, budget.maxTokens());
            s.setString(4, id);
            s.executeUpdate();
        }
    }

    /** Usage only grows: concurrent workers write their latest totals and the largest wins. */
    public void recordUsage(Connection c, String id, Usage usage) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.jobs SET call_count = GREATEST(call_count, ?), "
                + "prompt_tokens = GREATEST(prompt_tokens, ?), completion_tokens = GREATEST(completion_tokens, ?), "
                + "retry_count = GREATEST(retry_count, ?), malformed_count = GREATEST(malformed_count, ?), "
                + "failed_call_count = GREATEST(failed_call_count, ?) WHERE id = ?")) {
            s.setLong(1, usage.callCount());
            s.setLong(2, usage.promptTokens());
            s.setLong(3, usage.completionTokens());
            s.setLong(4, usage.retryCount());
            s.setLong(5, usage.malformedCount());
            s.setLong(6, usage.failedCallCount());
            s.setString(7, id);
            s.executeUpdate();
        }
    }

    // ---- iterations ----

    /** A stored iteration's own columns (counts come from the labels). */
    /**
     * {@code draftEtagAtStart}: the etag of the policy's draft when the iteration started, if the draft then held A's
     * text ("" when it held other text, null for iterations stored before it was recorded). {@code proposedText}: the
     * refine step's proposal; {@code draftConflict}: it could not be saved over a human's edit.
     */
    public record IterationRow(String jobId, int iteration, IterationPhase phase, PolicySnapshot a, PolicySnapshot b,
            long itemCount, AgreementStats agreement, PolicySnapshot refined, Instant startTime, Instant endTime,
            String draftEtagAtStart, String proposedText, boolean draftConflict) {
    }

    public void insertIteration(Connection c, String jobId, int iteration, IterationPhase phase, PolicySnapshot a,
            PolicySnapshot b, String draftEtagAtStart, long itemCount, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.iterations (job_id, iteration, phase, "
                + "a_policy, a_version, a_draft_etag, a_text, a_sha256, b_policy, b_version, b_draft_etag, b_text, "
                + "b_sha256, item_count, start_time, draft_etag_at_start) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            s.setString(3, phase.name());
            snapshot(s, 4, a);
            snapshot(s, 9, b);
            s.setLong(14, itemCount);
            s.setTimestamp(15, Timestamp.from(now));
            s.setString(16, draftEtagAtStart);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.jobs SET current_iteration = ?, "
                + "update_time = ? WHERE id = ?")) {
            s.setInt(1, iteration);
            s.setTimestamp(2, Timestamp.from(now));
            s.setString(3, jobId);
            s.executeUpdate();
        }
    }

    public void setPolicyB(Connection c, String jobId, int iteration, PolicySnapshot b) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET b_policy = ?, b_version = ?, "
                + "b_draft_etag = ?, b_text = ?, b_sha256 = ?, phase = 'LABELING' WHERE job_id = ? AND iteration = ?")) {
            snapshot(s, 1, b);
            s.setString(6, jobId);
            s.setInt(7, iteration);
            s.executeUpdate();
        }
    }

    public void setPhase(Connection c, String jobId, int iteration, IterationPhase phase, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET phase = ?, end_time = CASE WHEN "
                + "? = 'COMPLETED' THEN CAST(? AS timestamptz) ELSE end_time END WHERE job_id = ? AND iteration = ?")) {
            s.setString(1, phase.name());
            s.setString(2, phase.name());
            s.setTimestamp(3, Timestamp.from(now));
            s.setString(4, jobId);
            s.setInt(5, iteration);
            s.executeUpdate();
        }
    }

    public void setAgreement(Connection c, String jobId, int iteration, AgreementStats a) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET percent_agreement = ?, "
                + "cohens_kappa = ?, kappa_lower = ?, kappa_upper = ? WHERE job_id = ? AND iteration = ?")) {
            setDouble(s, 1, a == null ? null : a.percentAgreement());
            setDouble(s, 2, a == null ? null : a.cohensKappa());
            setDouble(s, 3, a == null ? null : a.kappaLower());
            setDouble(s, 4, a == null ? null : a.kappaUpper());
            s.setString(5, jobId);
            s.setInt(6, iteration);
            s.executeUpdate();
        }
    }

    public void setRefined(Connection c, String jobId, int iteration, PolicySnapshot refined) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET refined_policy = ?, "
                + "refined_etag = ?, refined_text = ?, refined_sha256 = ? WHERE job_id = ? AND iteration = ?")) {
            s.setString(1, refined.policy());
            s.setString(2, refined.draftEtag());
            s.setString(3, refined.text());
            s.setString(4, refined.sha256());
            s.setString(5, jobId);
            s.setInt(6, iteration);
            s.executeUpdate();
        }
    }

    /** Stores the refine step's proposal (before it is saved in the registry, so a retry does not ask again). */
    public void setProposal(Connection c, String jobId, int iteration, String text) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET proposed_text = ? "
                + "WHERE job_id = ? AND iteration = ?")) {
            s.setString(1, text);
            s.setString(2, jobId);
            s.setInt(3, iteration);
            s.executeUpdate();
        }
    }

    /** Marks the iteration's proposal as refused by the registry because the draft was edited meanwhile. */
    public void setDraftConflict(Connection c, String jobId, int iteration) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.iterations SET draft_conflict = true "
                + "WHERE job_id = ? AND iteration = ?")) {
            s.setString(1, jobId);
            s.setInt(2, iteration);
            s.executeUpdate();
        }
    }

    public List<IterationRow> iterations(Connection c, String jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT job_id, iteration, phase, a_policy, a_version, "
                + "a_draft_etag, a_text, a_sha256, b_policy, b_version, b_draft_etag, b_text, b_sha256, item_count, "
                + "percent_agreement, cohens_kappa, kappa_lower, kappa_upper, refined_policy, refined_etag, "
                + "refined_text, refined_sha256, start_time, end_time, draft_etag_at_start, proposed_text, "
                + "draft_conflict, "
                + "(SELECT count(*) FROM labeling.labels l WHERE l.job_id = i.job_id AND l.iteration = i.iteration "
                + "AND l.side = 'A' AND l.outcome = 'LABELED') FROM labeling.iterations i WHERE job_id = ? "
                + "ORDER BY iteration")) {
            s.setString(1, jobId);
            List<IterationRow> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    PolicySnapshot b = r.getString(9) == null
                            ? null
                            : new PolicySnapshot(r.getString(9), r.getString(10), r.getString(11), r.getString(12),
                                    r.getString(13));
                    Double po = (Double) r.getObject(15);
                    AgreementStats agreement = po == null
                            ? null
                            : new AgreementStats(0, po, (Double) r.getObject(16), (Double) r.getObject(17),
                                    (Double) r.getObject(18));
                    PolicySnapshot refined = r.getString(19) == null
                            ? null
                            : new PolicySnapshot(r.getString(19), "", r.getString(20), r.getString(21),
                                    r.getString(22));
                    Timestamp end = r.getTimestamp(24);
                    rows.add(new IterationRow(r.getString(1), r.getInt(2), IterationPhase.valueOf(r.getString(3)),
                            new PolicySnapshot(r.getString(4), r.getString(5), r.getString(6), r.getString(7),
                                    r.getString(8)),
                            b, r.getLong(14), agreement, refined, r.getTimestamp(23).toInstant(),
                            end == null ? null : end.toInstant(), r.getString(25), r.getString(26),
                            r.getBoolean(27)));
                }
            }
            return rows;
        }
    }

    // ---- helpers ----

    static void snapshot(PreparedStatement s, int from, PolicySnapshot p) throws SQLException {
        s.setString(from, p == null ? null : p.policy());
        s.setString(from + 1, p == null ? null : p.version());
        s.setString(from + 2, p == null ? null : p.draftEtag());
        s.setString(from + 3, p == null ? null : p.text());
        s.setString(from + 4, p == null ? null : p.sha256());
    }

    static void setDouble(PreparedStatement s, int index, Double value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.DOUBLE);
        } else {
            s.setDouble(index, value);
        }
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
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
                JobSpec spec;
                try {
                    spec = JSON.readValue(r.getString(2), JobSpec.class);
                } catch (JsonProcessingException e) {
                    throw new SQLException("Unreadable job spec of " + r.getString(1), e);
                }
                String pause = r.getString(4);
                Timestamp start = r.getTimestamp(17);
                Timestamp end = r.getTimestamp(18);
                Job job = new Job(spec, JobState.valueOf(r.getString(3)), pause == null
                        ? null
                        : PauseReason.valueOf(pause), r.getBoolean(5), r.getString(6), r.getString(7), r.getInt(8),
                        new Usage(r.getLong(9), r.getLong(10), r.getLong(11), r.getLong(12), r.getLong(13),
                                r.getLong(14)),
                        r.getString(15), r.getTimestamp(16).toInstant(), start == null ? null : start.toInstant(),
                        end == null ? null : end.toInstant(), r.getTimestamp(19).toInstant());
                result.add(new Stored(job, r.getLong(21), r.getString(20)));
            }
        }
        return result;
    }
}
