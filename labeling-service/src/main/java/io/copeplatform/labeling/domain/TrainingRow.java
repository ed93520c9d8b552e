package io.copeplatform.labeling.domain;

/**
 * One training example: a content, a policy text and the gold label under it. {@code source} is HUMAN_REVIEW,
 * BINOCULAR_AGREEMENT or DATASET_LABEL.
 */
public record TrainingRow(String content, String policyVersion, String policyText, boolean label, String source,
        String origin, String contentSha256, String policyTextSha256, boolean contradictory) {

    public TrainingRow asContradictory() {
        return new TrainingRow(content, policyVersion, policyText, label, source, origin, contentSha256,
                policyTextSha256, true);
    }
}
