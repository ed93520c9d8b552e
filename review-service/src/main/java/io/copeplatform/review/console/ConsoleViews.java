package io.copeplatform.review.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.copeplatform.review.domain.AuditEntry;
import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.Decision;
import io.copeplatform.review.domain.JobQueue;
import io.copeplatform.review.domain.LabeledPolicy;
import io.copeplatform.review.domain.Lease;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.domain.Task;

/** What the console's templates render: domain values already formatted for people. */
public final class ConsoleViews {

    static final String JOB_PREFIX = "binocularJobs/";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private ConsoleViews() {
    }

    /** The signed-in user, for the navigation. */
    public record User(String id, String role, boolean lead) {
        static User of(Caller caller) {
            return new User(caller.id(), caller.role().name().toLowerCase(Locale.ROOT), caller.isLead());
        }
    }

    /** A job's counts on the queue page. */
    public record JobRow(String jobId, long open, long claimed, long escalated, long done, long claimable) {
        static JobRow of(JobQueue q) {
            return new JobRow(ConsoleViews.jobId(q.job()), q.open(), q.claimed(), q.escalated(), q.done(),
                    q.claimable());
        }
    }

    /** One policy wording as shown side by side. */
    public record PolicyPanel(String side, String policy, String version, String label, String score,
            List<WordDiff.Segment> segments, int length) {
    }

    /** The caller's live lease. */
    public record LeaseView(String id, long expireEpochMillis, String expireTime) {
    }

    /** A decision the caller may read. */
    public record DecisionView(String reviewer, String role, String label, String correctVersion, String clause,
            String note, boolean resolution, String time) {
    }

    /** The task page. */
    public record TaskPage(String id, String name, String job, String jobId, int iteration, String item,
            String content, String state, int requiredDecisions, int decisionCount, String goldLabel, LeaseView lease,
            PolicyPanel a, PolicyPanel b, List<DecisionView> decisions) {
    }

    /** One audit log row. */
    public record AuditRow(String time, String actor, String role, String action, String taskId, String job,
            String details) {
    }

    static TaskPage task(Task task) {
        WordDiff.Result diff = WordDiff.diff(task.a().text(), task.b().text());
        Lease lease = task.callerLease();
        return new TaskPage(task.id(), "tasks/" + task.id(), task.job(), jobId(task.job()), task.iteration(),
                task.item(), task.content(), task.state().name(), task.requiredDecisions(), task.decisionCount(),
                task.goldLabel() == null ? null : label(task.goldLabel()),
                lease == null ? null : lease(lease),
                panel("A", task.a(), diff.a()), panel("B", task.b(), diff.b()),
                task.decisions().stream().map(ConsoleViews::decision).toList());
    }

    static LeaseView lease(Lease lease) {
        return new LeaseView(lease.id(), lease.expireTime().toEpochMilli(), time(lease.expireTime()));
    }

    static DecisionView decision(Decision d) {
        String clause = d.span() == null
                ? null
                : "version " + d.span().side() + ", characters " + d.span().start() + "–" + d.span().end() + ": “"
                        + (d.quotedText() == null ? "" : d.quotedText()) + "”";
        return new DecisionView(d.reviewer(), d.role().name().toLowerCase(Locale.ROOT), label(d.label()),
                d.correctVersion().name(), clause, d.note(), d.resolution(), time(d.createTime()));
    }

    static AuditRow audit(AuditEntry e) {
        String details = e.details().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining(", "));
        return new AuditRow(time(e.time()), e.actor(), e.role() == null ? "system" : role(e.role()), e.action().name(),
                e.taskId(), e.job(), details);
    }

    static String label(boolean label) {
        return label ? "1 — violates" : "0 — does not violate";
    }

    static String role(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant);
    }

    static String jobId(String job) {
        return job.startsWith(JOB_PREFIX) ? job.substring(JOB_PREFIX.length()) : job;
    }

    private static PolicyPanel panel(String side, LabeledPolicy policy, List<WordDiff.Segment> segments) {
        return new PolicyPanel(side, policy.policy(), policy.policyVersion(), label(policy.label()),
                policy.score() == null ? "—" : String.format(Locale.ROOT, "%.2f", policy.score()), segments,
                policy.text().length());
    }
}
