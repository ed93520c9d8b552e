package io.copeplatform.labeling.domain;

/**
 * One labeler answer for one content under one policy text, with what it cost.
 *
 * @param score
 *            P("1") when the labeler reports it; null otherwise
 * @param attemptCount
 *            answers asked for (2 when a malformed answer was retried)
 */
public record Answer(LabelOutcome outcome, boolean label, Double score, String rawAnswer, int attemptCount,
        long promptTokens, long completionTokens, String errorMessage, String model, String modelVersion) {

    public static Answer labeled(boolean label, Double score, String raw, int attempts, long prompt, long completion,
            String model, String modelVersion) {
        return new Answer(LabelOutcome.LABELED, label, score, raw, attempts, prompt, completion, "", model,
                modelVersion);
    }

    public static Answer malformed(String raw, int attempts, long prompt, long completion) {
        return new Answer(LabelOutcome.MALFORMED, false, null, raw, attempts, prompt, completion, "", "", "");
    }

    public static Answer failed(String error, int attempts, long prompt, long completion) {
        return new Answer(LabelOutcome.FAILED, false, null, "", attempts, prompt, completion, error, "", "");
    }
}
