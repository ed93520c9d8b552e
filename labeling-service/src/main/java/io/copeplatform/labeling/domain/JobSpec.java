package io.copeplatform.labeling.domain;

/**
 * What a binocular job was asked to do. Exactly one of {@code policyBRef} and {@code paraphrase} is set.
 */
public record JobSpec(String id, String displayName, String datasetId, String policyARef, String policyBRef,
        ParaphraseSpec paraphrase, LabelerSpec labeler, LlmEndpoint refiner, double targetAgreement,
        int maxIterations, Budget budget, int reviewOverlap, boolean continueAfterRefine) {
}
