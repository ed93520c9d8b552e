package io.copeplatform.review.mapping;

import java.time.Instant;

import com.google.protobuf.Timestamp;

import io.copeplatform.api.review.v1.AuditEvent;
import io.copeplatform.api.review.v1.LabeledPolicy;
import io.copeplatform.api.review.v1.ReviewerRole;
import io.copeplatform.review.domain.AuditAction;
import io.copeplatform.review.domain.AuditEntry;
import io.copeplatform.review.domain.ClauseSpan;
import io.copeplatform.review.domain.CorrectVersion;
import io.copeplatform.review.domain.Decision;
import io.copeplatform.review.domain.Lease;
import io.copeplatform.review.domain.PolicySide;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.domain.Task;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.domain.TaskState;

/** Maps domain types to the generated {@code cope.review.v1} messages and back (enums). The only place that does. */
public final class ReviewProtos {

    private ReviewProtos() {
    }

    public static io.copeplatform.api.review.v1.Task task(Task t) {
        var b = io.copeplatform.api.review.v1.Task.newBuilder()
                .setName(TaskIds.name(t.id()))
                .setJob(t.job())
                .setIteration(t.iteration())
                .setItem(t.item())
                .setContent(t.content())
                .setContentSha256(t.contentSha256())
                .setPolicyA(policy(t.a()))
                .setPolicyB(policy(t.b()))
                .setRequiredDecisions(t.requiredDecisions())
                .setDecisionCount(t.decisionCount())
                .setState(state(t.state()))
                .setLabeler(t.labeler())
                .setCreateTime(timestamp(t.createTime()))
                .setUpdateTime(timestamp(t.updateTime()));
        if (t.callerLease() != null) {
            b.setLease(lease(t.callerLease()));
        }
        t.decisions().forEach(d -> b.addDecisions(decision(d)));
        if (t.goldLabel() != null) {
            b.setGoldLabel(t.goldLabel());
        }
        if (t.closeTime() != null) {
            b.setCloseTime(timestamp(t.closeTime()));
        }
        return b.build();
    }

    public static LabeledPolicy policy(io.copeplatform.review.domain.LabeledPolicy p) {
        var b = LabeledPolicy.newBuilder()
                .setPolicy(p.policy())
                .setPolicyVersion(p.policyVersion())
                .setText(p.text())
                .setTextSha256(p.textSha256())
                .setLabel(p.label())
                .setRawAnswer(p.rawAnswer());
        if (p.score() != null) {
            b.setScore(p.score());
        }
        return b.build();
    }

    public static io.copeplatform.review.domain.LabeledPolicy policy(LabeledPolicy p) {
        return new io.copeplatform.review.domain.LabeledPolicy(p.getPolicy(), p.getPolicyVersion(), p.getText(),
                p.getTextSha256(), p.getLabel(), p.hasScore() ? p.getScore() : null, p.getRawAnswer());
    }

    public static io.copeplatform.api.review.v1.Lease lease(Lease l) {
        return io.copeplatform.api.review.v1.Lease.newBuilder()
                .setLeaseId(l.id())
                .setTask(TaskIds.name(l.taskId()))
                .setReviewer(l.reviewer())
                .setClaimTime(timestamp(l.claimTime()))
                .setExpireTime(timestamp(l.expireTime()))
                .build();
    }

    public static io.copeplatform.api.review.v1.Decision decision(Decision d) {
        var b = io.copeplatform.api.review.v1.Decision.newBuilder()
                .setName(TaskIds.name(d.taskId()) + "/decisions/" + d.id())
                .setReviewer(d.reviewer())
                .setReviewerRole(role(d.role()))
                .setLabel(d.label())
                .setCorrectVersion(correctVersion(d.correctVersion()))
                .setNote(d.note())
                .setResolution(d.resolution())
                .setCreateTime(timestamp(d.createTime()));
        if (d.span() != null) {
            b.setAmbiguousClause(span(d.span(), d.quotedText()));
        }
        return b.build();
    }

    public static io.copeplatform.api.review.v1.ClauseSpan span(ClauseSpan s, String quoted) {
        return io.copeplatform.api.review.v1.ClauseSpan.newBuilder()
                .setSide(s.side() == PolicySide.A
                        ? io.copeplatform.api.review.v1.PolicySide.POLICY_SIDE_A
                        : io.copeplatform.api.review.v1.PolicySide.POLICY_SIDE_B)
                .setStartOffset(s.start())
                .setEndOffset(s.end())
                .setQuotedText(quoted == null ? "" : quoted)
                .build();
    }

    public static AuditEvent audit(AuditEntry e) {
        var b = AuditEvent.newBuilder()
                .setName("auditEvents/" + e.id())
                .setEventTime(timestamp(e.time()))
                .setActor(e.actor())
                .setActorRole(e.role() == null ? ReviewerRole.REVIEWER_ROLE_UNSPECIFIED : role(e.role()))
                .setAction(action(e.action()))
                .setTask(TaskIds.name(e.taskId()))
                .setJob(e.job())
                .putAllDetails(e.details());
        if (e.decisionId() != null) {
            b.setDecision(TaskIds.name(e.taskId()) + "/decisions/" + e.decisionId());
        }
        if (e.leaseId() != null) {
            b.setLeaseId(e.leaseId());
        }
        return b.build();
    }

    public static io.copeplatform.api.review.v1.AuditAction action(AuditAction a) {
        return io.copeplatform.api.review.v1.AuditAction.valueOf("AUDIT_ACTION_" + a.name());
    }

    /** Null for UNSPECIFIED. */
    public static AuditAction action(io.copeplatform.api.review.v1.AuditAction a) {
        return switch (a) {
            case AUDIT_ACTION_UNSPECIFIED, UNRECOGNIZED -> null;
            default -> AuditAction.valueOf(a.name().substring("AUDIT_ACTION_".length()));
        };
    }

    public static ReviewerRole role(Role r) {
        return ReviewerRole.valueOf("REVIEWER_ROLE_" + r.name());
    }

    public static io.copeplatform.api.review.v1.TaskState state(TaskState s) {
        return io.copeplatform.api.review.v1.TaskState.valueOf("TASK_STATE_" + s.name());
    }

    /** Null for UNSPECIFIED. */
    public static TaskState state(io.copeplatform.api.review.v1.TaskState s) {
        return switch (s) {
            case TASK_STATE_UNSPECIFIED, UNRECOGNIZED -> null;
            default -> TaskState.valueOf(s.name().substring("TASK_STATE_".length()));
        };
    }

    public static io.copeplatform.api.review.v1.CorrectVersion correctVersion(CorrectVersion v) {
        return io.copeplatform.api.review.v1.CorrectVersion.valueOf("CORRECT_VERSION_" + v.name());
    }

    /** Null for UNSPECIFIED. */
    public static CorrectVersion correctVersion(io.copeplatform.api.review.v1.CorrectVersion v) {
        return switch (v) {
            case CORRECT_VERSION_UNSPECIFIED, UNRECOGNIZED -> null;
            default -> CorrectVersion.valueOf(v.name().substring("CORRECT_VERSION_".length()));
        };
    }

    /** Null for UNSPECIFIED. */
    public static PolicySide side(io.copeplatform.api.review.v1.PolicySide s) {
        return switch (s) {
            case POLICY_SIDE_A -> PolicySide.A;
            case POLICY_SIDE_B -> PolicySide.B;
            default -> null;
        };
    }

    public static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    public static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
