package io.copeplatform.review.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.copeplatform.review.config.ReviewConfig;
import io.copeplatform.review.domain.AuditAction;
import io.copeplatform.review.domain.AuditEntry;
import io.copeplatform.review.domain.AuditFilter;
import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.ClauseSpan;
import io.copeplatform.review.domain.Decision;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.JobQueue;
import io.copeplatform.review.domain.Lease;
import io.copeplatform.review.domain.Page;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.domain.Task;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.domain.TaskState;
import io.copeplatform.review.messaging.DecisionEventOutbox;
import io.copeplatform.review.repository.AuditRepository;
import io.copeplatform.review.repository.TaskRepository;
import io.copeplatform.review.repository.TaskRepository.LeaseRow;
import io.copeplatform.review.repository.Transactions;

/**
 * The review queue: claims under leases, decisions, releases, renewals and reads. Each operation is one database
 * transaction; a decision, its audit entries and its outbox event commit together or not at all.
 */
@ApplicationScoped
public class ReviewQueue {

    private static final Logger LOG = Logger.getLogger(ReviewQueue.class);
    /** Candidates (and rounds) a claim may pass over when they raced away before it reports "nothing". */
    private static final int CLAIM_ATTEMPTS = 10;

    private final Transactions tx;
    private final TaskRepository tasks;
    private final AuditRepository audit;
    private final DecisionEventOutbox outbox;
    private final ReviewConfig config;

    public ReviewQueue(Transactions tx, TaskRepository tasks, AuditRepository audit, DecisionEventOutbox outbox,
            ReviewConfig config) {
        this.tx = tx;
        this.tasks = tasks;
        this.audit = audit;
        this.outbox = outbox;
        this.config = config;
    }

    /** A claimed task and the caller's lease on it. */
    public record Claim(Task task, Lease lease) {
    }

    /** A recorded decision and the task after it. */
    public record Submission(Decision decision, Task task) {
    }

    // --------------------------------------------------------------------------------------------- claims

    /**
     * Leases the oldest claimable task to the caller, or empty. A task is claimable when it is OPEN (ESCALATED for
     * {@code escalated}), the caller neither decided it nor holds a live lease on it, and fewer than {@code k} slots
     * are decided or under a live lease. Expired leases do not count: the expiry is part of the query.
     */
    public Optional<Claim> claim(Caller caller, String job, boolean escalated, Duration requested) {
        if (escalated) {
            caller.require(Role.LEAD, "Claiming escalated tasks");
        }
        Duration duration = leaseDuration(requested);
        for (int round = 0; round < CLAIM_ATTEMPTS; round++) {
            // Fast path: skip tasks other claims hold right now.
            Attempt fast = tx.inTransaction(c -> {
                List<String> passed = new ArrayList<>();
                for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
                    Attempt result = attempt(c, caller, job, escalated, duration, passed, true);
                    if (result.outcome() != Outcome.RACED) {
                        return result;
                    }
                }
                return new Attempt(Outcome.RACED, null);
            });
            if (fast.outcome() == Outcome.CLAIMED) {
                return Optional.of(fast.claim());
            }
            // Nothing unlocked was free, but a locked task may keep a free slot once its claim commits: wait for the
            // oldest candidate's lock in a fresh transaction (holding no other lock, so it cannot deadlock).
            Attempt slow = tx
                    .inTransaction(c -> attempt(c, caller, job, escalated, duration, new ArrayList<>(), false));
            if (slow.outcome() == Outcome.CLAIMED) {
                return Optional.of(slow.claim());
            }
            if (slow.outcome() == Outcome.NONE) {
                return Optional.empty();
            }
        }
        LOG.debugf("Claim by %s kept racing; reporting nothing claimable", caller.id());
        return Optional.empty();
    }

    private enum Outcome {
        CLAIMED, NONE, RACED
    }

    private record Attempt(Outcome outcome, Claim claim) {
    }

    /**
     * Locks the oldest candidate (skipping locked rows or waiting for them) and leases it if it still has a free slot
     * for the caller; a candidate that turned out full is added to {@code passed} (RACED).
     */
    private Attempt attempt(Connection c, Caller caller, String job, boolean escalated, Duration duration,
            List<String> passed, boolean skipLocked) throws SQLException {
        Optional<String> candidate = tasks.lockClaimCandidate(c, caller.id(), job, escalated, passed, skipLocked);
        if (candidate.isEmpty()) {
            return new Attempt(Outcome.NONE, null);
        }
        String id = candidate.get();
        // We hold the task's row lock now; these fresh statements see every claim committed before it.
        closeExpired(c, id);
        Task task = tasks.find(c, id, false).orElseThrow();
        int live = tasks.liveLeaseCount(c, id);
        boolean free = escalated
                ? task.state() == TaskState.ESCALATED && live == 0
                : (task.state() == TaskState.OPEN || task.state() == TaskState.CLAIMED)
                        && task.decisionCount() + live < task.requiredDecisions();
        if (!free || tasks.hasDecided(c, id, caller.id()) || tasks.liveLeaseOf(c, id, caller.id()).isPresent()) {
            passed.add(id);
            return new Attempt(Outcome.RACED, null);
        }
        Lease lease = tasks.insertLease(c, id, caller.id(), caller.role(), duration);
        tasks.touch(c, id);
        audit.append(c, caller.id(), caller.role(), AuditAction.CLAIMED, id, task.job(), null, lease.id(),
                Map.of("expire_time", lease.expireTime().toString(), "escalated", String.valueOf(escalated)));
        return new Attempt(Outcome.CLAIMED,
                new Claim(view(c, tasks.find(c, id, false).orElseThrow(), caller), lease));
    }

    /** Gives up a held lease; the slot returns to the queue. */
    public Task release(Caller caller, String taskId, String leaseId, String reason) {
        return tx.inTransaction(c -> {
            Task task = tasks.find(c, taskId, true).orElseThrow(() -> ReviewException.taskNotFound(taskId));
            LeaseRow lease = heldLease(c, caller, taskId, leaseId);
            tasks.endLease(c, leaseId, "RELEASED");
            tasks.touch(c, taskId);
            audit.append(c, caller.id(), caller.role(), AuditAction.RELEASED, taskId, task.job(), null,
                    lease.lease().id(), Map.of("reason", reason == null ? "" : reason));
            return view(c, tasks.find(c, taskId, false).orElseThrow(), caller);
        });
    }

    /** Extends a held, live lease to now + duration. */
    public Lease renew(Caller caller, String taskId, String leaseId, Duration requested) {
        Duration duration = leaseDuration(requested);
        return tx.inTransaction(c -> {
            Task task = tasks.find(c, taskId, true).orElseThrow(() -> ReviewException.taskNotFound(taskId));
            heldLease(c, caller, taskId, leaseId);
            Lease renewed = tasks.renewLease(c, leaseId, duration);
            audit.append(c, caller.id(), caller.role(), AuditAction.LEASE_RENEWED, taskId, task.job(), null, leaseId,
                    Map.of("expire_time", renewed.expireTime().toString()));
            return renewed;
        });
    }

    // --------------------------------------------------------------------------------------------- decisions

    /**
     * Records the caller's decision under a held lease. When it is the k-th decision the task becomes DONE (all labels
     * agree; the gold label is theirs) or ESCALATED (they disagree); a lead's decision on an ESCALATED task resolves it
     * (DONE with the lead's label). Idempotent on {@code request_id}.
     */
    public Submission submit(Caller caller, Commands.SubmitDecision command) {
        if (command.correctVersion() == null) {
            throw ReviewException.invalidField(ErrorReason.CORRECT_VERSION_MISSING, "correct_version",
                    "must be A, B, BOTH or NEITHER");
        }
        ClauseSpan span = null;
        if (command.hasSpan()) {
            ClauseSpan.checkShape(command.spanSide(), command.spanStart(), command.spanEnd());
            span = new ClauseSpan(command.spanSide(), command.spanStart(), command.spanEnd());
        }
        String note = command.note() == null ? "" : command.note();
        if (note.getBytes(StandardCharsets.UTF_8).length > config.maxNoteBytes()) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "note",
                    "must be at most " + config.maxNoteBytes() + " bytes");
        }
        String requestId = command.requestId() == null ? "" : command.requestId();
        if (requestId.length() > 200) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "request_id", "at most 200 characters");
        }
        String hash = sha256(command.fingerprint());
        ClauseSpan clause = span;
        return tx.inTransaction(c -> {
            String taskId = command.taskId();
            Task task = tasks.find(c, taskId, true).orElseThrow(() -> ReviewException.taskNotFound(taskId));
            // Checked under the task's lock, so a concurrent retry of the same request sees the first one's result.
            if (!requestId.isEmpty()) {
                Optional<Submission> earlier = replay(c, caller, requestId, hash);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            if (task.state() == TaskState.DONE || task.state() == TaskState.CANCELLED) {
                throw ReviewException.of(ErrorReason.TASK_CLOSED,
                        "Task " + TaskIds.name(taskId) + " is " + task.state() + "; it takes no more decisions");
            }
            LeaseRow lease = heldLease(c, caller, taskId, command.leaseId());
            boolean resolution = task.state() == TaskState.ESCALATED;
            if (resolution && !lease.lease().role().atLeast(Role.LEAD)) {
                throw ReviewException.roleRequired(Role.LEAD, "Resolving an escalated task");
            }
            if (!resolution && tasks.hasDecided(c, taskId, caller.id())) {
                throw ReviewException.of(ErrorReason.ALREADY_DECIDED,
                        caller.id() + " already decided " + TaskIds.name(taskId));
            }
            if (clause != null) {
                clause.checkWithin(task.policyText(clause.side()));
            }
            Decision decision = tasks.insertDecision(c, taskId, command.leaseId(), caller.id(), caller.role(),
                    command.label(), command.correctVersion(), clause, note, resolution, false, task.a().text(),
                    task.b().text());
            tasks.endLease(c, command.leaseId(), "DECIDED");
            Map<String, String> details = new LinkedHashMap<>();
            details.put("label", command.label() ? "1" : "0");
            details.put("correct_version", command.correctVersion().name());
            if (clause != null) {
                details.put("ambiguous_clause", clause.side() + ":" + clause.start() + "-" + clause.end());
            }
            audit.append(c, caller.id(), caller.role(), AuditAction.DECISION_SUBMITTED, taskId, task.job(),
                    decision.id(), command.leaseId(), details);
            settle(c, caller, task, decision, resolution);
            Task after = view(c, tasks.find(c, taskId, false).orElseThrow(), caller);
            outbox.decisionMade(c, after, decision);
            if (!requestId.isEmpty()) {
                rememberRequest(c, caller, requestId, hash, decision.id());
            }
            return new Submission(decision, after);
        });
    }

    /** Moves the task on after a decision: DONE, ESCALATED or still OPEN. */
    private void settle(Connection c, Caller caller, Task task, Decision decision, boolean resolution)
            throws SQLException {
        if (resolution) {
            tasks.updateState(c, task.id(), TaskState.DONE, task.decisionCount(), decision.label());
            audit.append(c, caller.id(), caller.role(), AuditAction.RESOLVED, task.id(), task.job(), decision.id(),
                    null, Map.of("gold_label", decision.label() ? "1" : "0"));
            return;
        }
        int count = task.decisionCount() + 1;
        if (count < task.requiredDecisions()) {
            tasks.updateState(c, task.id(), TaskState.OPEN, count, null);
            return;
        }
        List<Decision> all = tasks.decisions(c, task.id(), task.a().text(), task.b().text());
        long ones = all.stream().filter(d -> !d.resolution() && d.label()).count();
        long zeros = all.stream().filter(d -> !d.resolution() && !d.label()).count();
        if (ones == 0 || zeros == 0) {
            tasks.updateState(c, task.id(), TaskState.DONE, count, ones > 0);
        } else {
            tasks.updateState(c, task.id(), TaskState.ESCALATED, count, null);
            tasks.markCausedEscalation(c, decision.id());
            audit.append(c, "system", null, AuditAction.ESCALATED, task.id(), task.job(), decision.id(), null,
                    Map.of("ones", String.valueOf(ones), "zeros", String.valueOf(zeros)));
        }
    }

    private Optional<Submission> replay(Connection c, Caller caller, String requestId, String hash)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT request_hash, decision_id FROM review.request_ids WHERE reviewer = ? AND request_id = ?")) {
            s.setString(1, caller.id());
            s.setString(2, requestId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!rs.getString(1).equals(hash)) {
                    throw ReviewException.invalidField(ErrorReason.REQUEST_ID_REUSED, "request_id",
                            "was already used with a different request");
                }
                UUID decisionId = (UUID) rs.getObject(2);
                Decision first = tasks.decision(c, decisionId, "", "").orElseThrow();
                Task task = tasks.find(c, first.taskId(), false).orElseThrow();
                Decision quoted = tasks.decision(c, decisionId, task.a().text(), task.b().text()).orElseThrow();
                return Optional.of(new Submission(quoted, view(c, task, caller)));
            }
        }
    }

    private static void rememberRequest(Connection c, Caller caller, String requestId, String hash,
            String decisionId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO review.request_ids (request_id, reviewer, "
                + "request_hash, decision_id, create_time) VALUES (?, ?, ?, ?, now())")) {
            s.setString(1, requestId);
            s.setString(2, caller.id());
            s.setString(3, hash);
            s.setObject(4, UUID.fromString(decisionId));
            s.executeUpdate();
        }
    }

    // --------------------------------------------------------------------------------------------- reads

    public Task get(Caller caller, String taskId) {
        return tx.inTransaction(c -> view(c,
                tasks.find(c, taskId, false).orElseThrow(() -> ReviewException.taskNotFound(taskId)), caller));
    }

    /** Tasks oldest first; reviewers see only tasks they leased or decided. */
    public Page<Task> list(Caller caller, String job, TaskState state, Integer iteration, int pageSize,
            String pageToken) {
        int size = pageSize(pageSize, config.defaultPageSize(), config.maxPageSize());
        String visibleTo = caller.isLead() ? null : caller.id();
        String filters = "tasks|" + job + "|" + state + "|" + iteration + "|" + visibleTo;
        long after = PageTokens.decode(pageToken, filters, 0);
        return tx.inTransaction(c -> {
            List<Task> rows = tasks.list(c, job, state, iteration, visibleTo, after, size);
            boolean more = rows.size() > size;
            List<Task> page = new ArrayList<>();
            for (Task t : rows.subList(0, Math.min(size, rows.size()))) {
                page.add(view(c, t, caller));
            }
            String next = more ? PageTokens.encode(tasks.seq(c, page.get(page.size() - 1).id()), filters) : "";
            return new Page<>(page, next);
        });
    }

    /** Counts per job, jobs with open tasks first. */
    public List<JobQueue> summary(Caller caller, String job) {
        return tx.inTransaction(c -> {
            List<JobQueue> jobs = new ArrayList<>(tasks.summary(c, job, caller.id()));
            jobs.sort((x, y) -> x.open() > 0 == y.open() > 0 ? x.job().compareTo(y.job()) : x.open() > 0 ? -1 : 1);
            return jobs;
        });
    }

    /** The audit log, newest first; leads and admins only. */
    public Page<AuditEntry> audit(Caller caller, AuditFilter filter, int pageSize, String pageToken) {
        caller.require(Role.LEAD, "Reading the audit log");
        int size = pageSize(pageSize, 100, 1000);
        String filters = "audit|" + filter;
        long before = PageTokens.decode(pageToken, filters, Long.MAX_VALUE);
        return tx.inTransaction(c -> {
            List<AuditEntry> rows = audit.list(c, filter, before, size);
            boolean more = rows.size() > size;
            List<AuditEntry> page = rows.subList(0, Math.min(size, rows.size()));
            return new Page<>(List.copyOf(page),
                    more ? PageTokens.encode(page.get(page.size() - 1).id(), filters) : "");
        });
    }

    // --------------------------------------------------------------------------------------------- helpers

    /**
     * The task as {@code caller} may see it: their live lease, and other reviewers' decisions only once the caller
     * decided (leads and admins see all).
     */
    private Task view(Connection c, Task task, Caller caller) throws SQLException {
        Lease lease = tasks.liveLeaseOf(c, task.id(), caller.id()).orElse(null);
        List<Decision> all = tasks.decisions(c, task.id(), task.a().text(), task.b().text());
        boolean decided = all.stream().anyMatch(d -> d.reviewer().equals(caller.id()));
        List<Decision> visible = caller.isLead() || decided ? all : List.of();
        return task.withView(lease, visible);
    }

    /** The caller's live lease {@code leaseId} on the task, or LEASE_NOT_HELD / LEASE_EXPIRED. */
    private LeaseRow heldLease(Connection c, Caller caller, String taskId, String leaseId) throws SQLException {
        UUID id = TaskIds.uuidOrNull(leaseId);
        Optional<LeaseRow> row = id == null ? Optional.empty() : tasks.findLease(c, id);
        if (row.isEmpty() || !row.get().lease().taskId().equals(taskId)
                || !row.get().lease().reviewer().equals(caller.id())) {
            throw ReviewException.of(ErrorReason.LEASE_NOT_HELD,
                    "Lease " + leaseId + " is not held by " + caller.id() + " on " + TaskIds.name(taskId),
                    Map.of("lease_id", String.valueOf(leaseId)));
        }
        LeaseRow lease = row.get();
        if (lease.live()) {
            return lease;
        }
        if (lease.endTime() == null || "EXPIRED".equals(lease.endReason())) {
            throw ReviewException.of(ErrorReason.LEASE_EXPIRED,
                    "Lease " + leaseId + " expired at " + lease.lease().expireTime() + "; claim the task again",
                    Map.of("lease_id", leaseId, "expire_time", lease.lease().expireTime().toString()));
        }
        throw ReviewException.of(ErrorReason.LEASE_NOT_HELD,
                "Lease " + leaseId + " ended (" + lease.endReason().toLowerCase() + ")", Map.of("lease_id", leaseId));
    }

    private void closeExpired(Connection c, String taskId) throws SQLException {
        for (Lease expired : tasks.closeExpiredLeases(c, taskId)) {
            String job = tasks.find(c, taskId, false).map(Task::job).orElse("");
            audit.append(c, "system", null, AuditAction.LEASE_EXPIRED, taskId, job, null, expired.id(),
                    Map.of("reviewer", expired.reviewer(), "expire_time", expired.expireTime().toString()));
        }
    }

    private Duration leaseDuration(Duration requested) {
        var lease = config.lease();
        if (requested == null) {
            return lease.defaultDuration();
        }
        if (requested.compareTo(lease.minDuration()) < 0) {
            throw ReviewException.invalidField(ErrorReason.INVALID_LEASE_DURATION, "lease_duration",
                    "must be at least " + lease.minDuration());
        }
        return requested.compareTo(lease.maxDuration()) > 0 ? lease.maxDuration() : requested;
    }

    static int pageSize(int requested, int defaultSize, int max) {
        if (requested < 0) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "page_size", "must not be negative");
        }
        return requested == 0 ? defaultSize : Math.min(requested, max);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
