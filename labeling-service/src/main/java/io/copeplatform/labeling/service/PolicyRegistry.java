package io.copeplatform.labeling.service;

import java.util.Optional;

import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.PolicySnapshot;

/**
 * What labeling needs from policy-registry; implemented by client/ over gRPC. Failures are LabelingExceptions
 * (POLICY_VERSION_NOT_FOUND, INVALID_REFERENCE, REGISTRY_UNAVAILABLE).
 */
public interface PolicyRegistry {

    /**
     * The text a reference names now: {@code policies/{p}/versions/{v}}, {@code policies/{p}@live|@latest} (a published
     * version), or {@code policies/{p}/draft} (the draft text and its etag).
     */
    PolicySnapshot resolve(String reference);

    /**
     * Publishes {@code text} as the next version of {@code policyId} (created on first use), linked to
     * {@code paraphraseOf}. Idempotent on {@code requestId}.
     */
    PolicySnapshot publishParaphrase(String policyId, String displayName, String text, String paraphraseOf,
            String requestId);

    /**
     * The etag of the draft of {@code policy} ({@code policies/{p}}) when the draft's text has SHA-256 {@code sha256};
     * "" when the draft holds other text (e.g. a human's unpublished edits).
     */
    String draftEtagIfText(String policy, String sha256);

    /**
     * Replaces the draft of {@code policy} ({@code policies/{p}}) with {@code text} if the draft still has
     * {@code expectedEtag} (optimistic concurrency; "" never matches); never publishes. Empty when the draft was edited
     * by someone else: it is left as it is. A draft that already holds {@code text} (e.g. this write, retried after a
     * crash) counts as saved.
     */
    Optional<PolicySnapshot> saveDraft(String policy, String text, String note, String expectedEtag);

    /** Records a determinism score on a published version. */
    void recordDeterminism(String version, AgreementStats agreement, String job, int iteration,
            String paraphraseVersion, String labeler, String requestId);

    /** Records an evaluation result on a published version. */
    void recordEvaluation(String version, double precision, double recall, double f1, double accuracy,
            String model, String modelVersion, double threshold, long sampleSize, String evaluation, String dataset,
            String requestId);
}
