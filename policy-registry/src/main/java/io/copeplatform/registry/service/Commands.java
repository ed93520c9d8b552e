package io.copeplatform.registry.service;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import io.copeplatform.registry.repository.DeploymentEntity;
import io.copeplatform.registry.repository.DeterminismScoreEntity;
import io.copeplatform.registry.repository.EvaluationScoreEntity;
import io.copeplatform.registry.repository.PolicyEntity;
import io.copeplatform.registry.repository.PolicyVersionEntity;

/** Inputs and outputs of {@link PolicyService}, free of protocol types. */
public final class Commands {

    private Commands() {
    }

    /** Publishing and deployment gate of a policy. */
    public record PublishGate(boolean allowPublishWithLintErrors, Double minDeterminismAgreement,
            Double minDeterminismKappa) {
        public static final PublishGate DEFAULT = new PublishGate(false, null, null);
    }

    /** CreatePolicy input. */
    public record NewPolicy(String id, String displayName, String description, List<String> tags, String text,
            String note, PublishGate gate) {
    }

    /** UpdatePolicy input: only present fields change. */
    public record PolicyChanges(Optional<String> displayName, Optional<String> description,
            Optional<List<String>> tags, Optional<PublishGate> gate) {
    }

    /** A policy with its current live deployment (null when not deployed). */
    public record PolicyDetails(PolicyEntity policy, DeploymentEntity liveDeployment) {
    }

    /** A version with the policy (for alias flags) and its recorded metrics. */
    public record VersionDetails(PolicyVersionEntity version, PolicyEntity policy,
            DeterminismScoreEntity determinism, List<EvaluationScoreEntity> evaluations) {
    }

    /** The answer of ResolvePolicy: everything inference needs, from one query. */
    public record ResolvedPolicy(String reference, String policyId, int version, String text, String sha256,
            double threshold, boolean live, boolean deprecated, OffsetDateTime createTime) {
    }

    /** Determinism metrics to record. */
    public record Determinism(double percentAgreement, Double cohensKappa, Double kappaCiLower, Double kappaCiUpper,
            Double kappaCiLevel, long sampleSize, String job, int iteration, String paraphraseVersion,
            String labeler) {
    }

    /** Evaluation metrics to record. */
    public record Evaluation(double precision, double recall, double f1, double accuracy, String model,
            String modelVersion, double threshold, long sampleSize, String evaluation, String dataset) {
    }

    /** A diff between two texts. */
    public record TextDiff(String base, String target, String baseSha256, String targetSha256, String baseText,
            String targetText) {
    }
}
