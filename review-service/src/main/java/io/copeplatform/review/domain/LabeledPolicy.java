package io.copeplatform.review.domain;

/** One wording of the policy with the label it produced; {@code score} is null when the labeler reports none. */
public record LabeledPolicy(String policy, String policyVersion, String text, String textSha256, boolean label,
        Double score, String rawAnswer) {
}
