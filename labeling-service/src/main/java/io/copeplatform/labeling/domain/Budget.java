package io.copeplatform.labeling.domain;

/** A per-job budget; 0 means unlimited. Reaching a limit pauses the job. */
public record Budget(long maxCalls, long maxTokens) {

    /** Which limit {@code usage} has reached, or null. */
    public PauseReason exhaustedBy(Usage usage) {
        if (maxCalls > 0 && usage.callCount() >= maxCalls) {
            return PauseReason.CALL_BUDGET;
        }
        if (maxTokens > 0 && usage.totalTokens() >= maxTokens) {
            return PauseReason.TOKEN_BUDGET;
        }
        return null;
    }
}
