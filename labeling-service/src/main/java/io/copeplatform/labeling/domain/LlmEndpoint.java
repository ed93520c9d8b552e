package io.copeplatform.labeling.domain;

import java.time.Duration;

/**
 * An OpenAI-compatible Chat Completions endpoint as a job asked for it; blank/null fields mean "the configured
 * default". {@code apiKeySecret} names a configured key; the key itself is never stored with a job.
 */
public record LlmEndpoint(String baseUrl, String model, String apiKeySecret, Double temperature, Integer maxTokens,
        Duration requestTimeout) {

    public static LlmEndpoint defaults() {
        return new LlmEndpoint("", "", "", null, null, null);
    }
}
