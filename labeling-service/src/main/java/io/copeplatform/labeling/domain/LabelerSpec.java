package io.copeplatform.labeling.domain;

/**
 * Which labeler ("eye") labels, and how hard it may be driven. Exactly one of {@code chat} and {@code cope} is set.
 *
 * @param maxConcurrency
 *            requests in flight; 0 for the server default
 * @param maxRequestsPerSecond
 *            token-bucket rate; 0 for unlimited
 * @param maxRetries
 *            retries on 429/5xx/timeouts; null for the server default
 */
public record LabelerSpec(ChatLabeler chat, CopeLabeler cope, int maxConcurrency, double maxRequestsPerSecond,
        Integer maxRetries) {

    /** An LLM labeler: strict "0"/"1" (or JSON) answers, optional logprobs. */
    public record ChatLabeler(LlmEndpoint endpoint, boolean requestLogprobs, boolean jsonAnswer,
            String jsonLabelField) {
    }

    /** CoPE through inference-service. */
    public record CopeLabeler(String model, Double threshold, boolean allowContentTruncation) {
    }

    /**
     * A short description for review tasks and metrics, e.g. "chat-completions:gpt-4o-mini". For inference-service the
     * requested model, if any: which model actually answered is only known from the answers (never assume it is CoPE; a
     * test deployment serves a test model).
     */
    public String describe(String defaultModel) {
        if (chat != null) {
            String model = chat.endpoint().model();
            return "chat-completions:" + (model == null || model.isBlank() ? defaultModel : model);
        }
        return "inference-service" + (cope.model() == null || cope.model().isBlank() ? "" : ":" + cope.model());
    }
}
