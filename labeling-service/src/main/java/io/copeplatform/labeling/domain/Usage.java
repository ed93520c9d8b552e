package io.copeplatform.labeling.domain;

/** Calls and tokens consumed (retries included in calls). */
public record Usage(long callCount, long promptTokens, long completionTokens, long retryCount, long malformedCount,
        long failedCallCount) {

    public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
