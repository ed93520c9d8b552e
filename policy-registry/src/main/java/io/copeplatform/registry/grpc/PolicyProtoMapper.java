package io.copeplatform.registry.grpc;

import java.time.Instant;
import java.time.OffsetDateTime;

import com.google.protobuf.Timestamp;

import io.copeplatform.api.policy.v1.ConfidenceInterval;
import io.copeplatform.api.policy.v1.Deployment;
import io.copeplatform.api.policy.v1.DeterminismScore;
import io.copeplatform.api.policy.v1.EvaluationScore;
import io.copeplatform.api.policy.v1.LintFinding;
import io.copeplatform.api.policy.v1.LintReport;
import io.copeplatform.api.policy.v1.LintSeverity;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyState;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.policy.v1.PolicyVersionMetrics;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.PublishGate;
import io.copeplatform.api.policy.v1.ResolvePolicyResponse;
import io.copeplatform.api.policy.v1.TextRange;
import io.copeplatform.registry.domain.PolicyNames;
import io.copeplatform.registry.repository.DeploymentEntity;
import io.copeplatform.registry.repository.DeterminismScoreEntity;
import io.copeplatform.registry.repository.EvaluationScoreEntity;
import io.copeplatform.registry.repository.PolicyEntity;
import io.copeplatform.registry.repository.PolicyVersionEntity;
import io.copeplatform.registry.service.Commands;
import io.copeplatform.registry.service.Commands.PolicyDetails;
import io.copeplatform.registry.service.Commands.VersionDetails;
import io.copeplatform.registry.service.PolicyLinting;

/** Maps the registry's entities and results to the v1 API messages (the only place that knows both). */
final class PolicyProtoMapper {

    private final PolicyLinting linting;

    PolicyProtoMapper(PolicyLinting linting) {
        this.linting = linting;
    }

    Policy policy(PolicyDetails details, boolean full) {
        PolicyEntity p = details.policy();
        Policy.Builder policy = Policy.newBuilder()
                .setName(PolicyNames.policyName(p.id))
                .setDisplayName(p.displayName)
                .setDescription(p.description)
                .addAllTags(p.tagList())
                .setLatestVersion(p.latestVersion == 0 ? "" : PolicyNames.versionName(p.id, p.latestVersion))
                .setPublishGate(gate(p))
                .setState(p.isDeleted() ? PolicyState.POLICY_STATE_DELETED : PolicyState.POLICY_STATE_ACTIVE)
                .setCreator(p.creator)
                .setCreateTime(timestamp(p.createTime))
                .setUpdateTime(timestamp(p.updateTime))
                .setEtag(p.etag());
        if (p.deleteTime != null) {
            policy.setDeleteTime(timestamp(p.deleteTime));
        }
        if (details.liveDeployment() != null) {
            policy.setLiveDeployment(deployment(details.liveDeployment()));
        }
        if (full) {
            policy.setDraft(draft(p));
        }
        return policy.build();
    }

    PolicyDraft draft(PolicyEntity p) {
        return PolicyDraft.newBuilder()
                .setName(PolicyNames.draftName(p.id))
                .setText(p.draftText)
                .setTextSha256(p.draftSha256)
                .setEtag(p.draftEtag())
                .setBaseVersion(p.draftBaseVersion == null ? "" : PolicyNames.versionName(p.id, p.draftBaseVersion))
                .setHasUnpublishedChanges(p.hasUnpublishedChanges())
                .setNote(p.draftNote)
                .setUpdater(p.draftUpdater)
                .setUpdateTime(timestamp(p.draftUpdateTime))
                .setLintReport(lintReport(linting.fromJson(p.draftLintReport)))
                .build();
    }

    PolicyVersion version(VersionDetails details, boolean full) {
        PolicyVersionEntity v = details.version();
        PolicyEntity p = details.policy();
        PolicyVersion.Builder version = PolicyVersion.newBuilder()
                .setName(PolicyNames.versionName(v.policyId, v.version))
                .setVersion(v.version)
                .setTextSha256(v.sha256)
                .setChangelog(v.changelog)
                .setAuthor(v.author)
                .setCreateTime(timestamp(v.createTime))
                .setParentVersion(v.parentVersion == null ? "" : PolicyNames.versionName(v.policyId, v.parentVersion))
                .setParaphraseOf(v.paraphraseOf)
                .setState(v.isDeprecated()
                        ? PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED
                        : PolicyVersionState.POLICY_VERSION_STATE_ACTIVE)
                .setDeprecationReason(v.deprecationReason)
                .setLive(p.liveVersion != null && p.liveVersion == v.version)
                .setLatest(p.latestVersion == v.version);
        if (v.deprecateTime != null) {
            version.setDeprecateTime(timestamp(v.deprecateTime));
        }
        if (full) {
            version.setText(v.text).setLintReport(lintReport(linting.fromJson(v.lintReport)));
        }
        PolicyVersionMetrics.Builder metrics = PolicyVersionMetrics.newBuilder();
        if (details.determinism() != null) {
            metrics.setDeterminism(determinism(details.determinism()));
        }
        for (EvaluationScoreEntity e : details.evaluations()) {
            metrics.addEvaluations(evaluation(e));
        }
        return version.setMetrics(metrics).build();
    }

    Deployment deployment(DeploymentEntity d) {
        Deployment.Builder deployment = Deployment.newBuilder()
                .setName(PolicyNames.deploymentName(d.policyId, d.seq))
                .setVersion(d.version == null ? "" : PolicyNames.versionName(d.policyId, d.version))
                .setPreviousVersion(
                        d.previousVersion == null ? "" : PolicyNames.versionName(d.policyId, d.previousVersion))
                .setRollback(d.rollback)
                .setNote(d.note)
                .setActor(d.actor)
                .setCreateTime(timestamp(d.createTime));
        if (d.threshold != null) {
            deployment.setThreshold(d.threshold);
        }
        return deployment.build();
    }

    ResolvePolicyResponse resolved(Commands.ResolvedPolicy r) {
        return ResolvePolicyResponse.newBuilder()
                .setReference(r.reference())
                .setPolicyVersion(PolicyNames.versionName(r.policyId(), r.version()))
                .setPolicy(PolicyNames.policyName(r.policyId()))
                .setVersion(r.version())
                .setText(r.text())
                .setTextSha256(r.sha256())
                .setThreshold(r.threshold())
                .setLive(r.live())
                .setState(r.deprecated()
                        ? PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED
                        : PolicyVersionState.POLICY_VERSION_STATE_ACTIVE)
                .setCreateTime(timestamp(r.createTime()))
                .build();
    }

    LintReport lintReport(io.copeplatform.registry.service.LintReport report) {
        LintReport.Builder proto = LintReport.newBuilder()
                .setErrorCount(report.errorCount())
                .setWarningCount(report.warningCount())
                .setInfoCount(report.infoCount())
                .setEstimatedTokenCount(report.estimatedTokenCount())
                .setTokenBudget(report.tokenBudget())
                .setLintTime(timestamp(report.lintTime()))
                .setRuleSetVersion(report.ruleSetVersion());
        for (io.copeplatform.registry.lint.LintFinding f : report.findings()) {
            proto.addFindings(LintFinding.newBuilder()
                    .setRuleId(f.ruleId())
                    .setSeverity(switch (f.severity()) {
                        case ERROR -> LintSeverity.LINT_SEVERITY_ERROR;
                        case WARNING -> LintSeverity.LINT_SEVERITY_WARNING;
                        case INFO -> LintSeverity.LINT_SEVERITY_INFO;
                    })
                    .setMessage(f.message())
                    .setSpan(TextRange.newBuilder()
                            .setStartLine(f.span().startLine())
                            .setStartColumn(f.span().startColumn())
                            .setEndLine(f.span().endLine())
                            .setEndColumn(f.span().endColumn())));
        }
        return proto.build();
    }

    private static PublishGate gate(PolicyEntity p) {
        PublishGate.Builder gate = PublishGate.newBuilder().setAllowPublishWithLintErrors(p.allowPublishWithLintErrors);
        if (p.minDeterminismAgreement != null) {
            gate.setMinDeterminismAgreement(p.minDeterminismAgreement);
        }
        if (p.minDeterminismKappa != null) {
            gate.setMinDeterminismKappa(p.minDeterminismKappa);
        }
        return gate.build();
    }

    private static DeterminismScore determinism(DeterminismScoreEntity d) {
        DeterminismScore.Builder score = DeterminismScore.newBuilder()
                .setPercentAgreement(d.percentAgreement)
                .setSampleSize(d.sampleSize)
                .setJob(d.job)
                .setIteration(d.iteration)
                .setParaphraseVersion(d.paraphraseVersion)
                .setLabeler(d.labeler)
                .setRecordTime(timestamp(d.recordTime));
        if (d.cohensKappa != null) {
            score.setCohensKappa(d.cohensKappa);
        }
        if (d.kappaCiLower != null && d.kappaCiUpper != null) {
            score.setCohensKappaCi(ConfidenceInterval.newBuilder()
                    .setLower(d.kappaCiLower)
                    .setUpper(d.kappaCiUpper)
                    .setConfidenceLevel(d.kappaCiLevel == null ? 0.95 : d.kappaCiLevel));
        }
        return score.build();
    }

    private static EvaluationScore evaluation(EvaluationScoreEntity e) {
        return EvaluationScore.newBuilder()
                .setPrecision(e.precision)
                .setRecall(e.recall)
                .setF1(e.f1)
                .setAccuracy(e.accuracy)
                .setModel(e.model)
                .setModelVersion(e.modelVersion)
                .setThreshold(e.threshold)
                .setSampleSize(e.sampleSize)
                .setEvaluation(e.evaluation)
                .setDataset(e.dataset)
                .setRecordTime(timestamp(e.recordTime))
                .build();
    }

    static Timestamp timestamp(OffsetDateTime time) {
        return timestamp(time.toInstant());
    }

    static Timestamp timestamp(Instant time) {
        return Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()).build();
    }
}
