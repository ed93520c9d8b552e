package io.copeplatform.labeling.client;

import java.net.http.HttpClient;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.Backoff;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.LlmEndpoint;
import io.copeplatform.labeling.domain.TokenBucket;

/**
 * Turns a job's {@link LlmEndpoint} into a callable endpoint: blanks filled from {@code labeling.llm.*}, the API key
 * looked up by name among the configured secrets. Owns the one HTTP client of the service.
 */
@ApplicationScoped
public class LlmEndpoints {

    private final LabelingConfig config;
    private final HttpClient http;

    public LlmEndpoints(LabelingConfig config) {
        this.config = config;
        // HTTP/1.1: local servers (vLLM, Ollama, LM Studio) speak it; h2c upgrades only add a round trip.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public ChatCompletionsClient.Endpoint resolve(LlmEndpoint e, int defaultMaxTokens, Duration defaultTimeout) {
        LlmEndpoint endpoint = e == null ? LlmEndpoint.defaults() : e;
        String apiKey;
        if (endpoint.apiKeySecret() == null || endpoint.apiKeySecret().isBlank()) {
            apiKey = config.llm().apiKey().orElse("");
        } else {
            apiKey = config.llm().secrets().get(endpoint.apiKeySecret());
            if (apiKey == null) {
                throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "api_key_secret",
                        "no configured secret named '" + endpoint.apiKeySecret() + "' (labeling.llm.secrets.<name>)");
            }
        }
        String baseUrl = blank(endpoint.baseUrl()) ? config.llm().baseUrl() : endpoint.baseUrl();
        if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "base_url",
                    "must be an http(s) URL, got '" + baseUrl + "'");
        }
        return new ChatCompletionsClient.Endpoint(baseUrl, blank(endpoint.model())
                ? config.llm().model()
                : endpoint.model(), apiKey, endpoint.temperature() == null ? 0.0 : endpoint.temperature(),
                endpoint.maxTokens() == null ? defaultMaxTokens : endpoint.maxTokens(),
                endpoint.requestTimeout() == null ? defaultTimeout : endpoint.requestTimeout());
    }

    public ChatCompletionsClient client(ChatCompletionsClient.Endpoint endpoint, double requestsPerSecond,
            int maxRetries) {
        return new ChatCompletionsClient(http, endpoint, backoff(), new TokenBucket(requestsPerSecond), maxRetries);
    }

    public Backoff backoff() {
        return new Backoff(config.limits().initialBackoff(), config.limits().maxBackoff());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
