package io.copeplatform.labeling.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.copeplatform.labeling.domain.Backoff;
import io.copeplatform.labeling.domain.TokenBucket;
import io.copeplatform.labeling.domain.UsageMeter;

/**
 * One OpenAI-compatible {@code POST {base}/chat/completions} endpoint, with the retry discipline every caller needs:
 * 429, 5xx, timeouts and connection failures are retried with exponential backoff and full jitter, honouring
 * {@code Retry-After}; other 4xx fail at once. Every HTTP attempt is reported to the {@link UsageMeter} (budgets count
 * retries). Thread-safe; one shared {@link HttpClient}.
 */
public final class ChatCompletionsClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where and how to call. */
    public record Endpoint(String baseUrl, String model, String apiKey, double temperature, int maxTokens,
            Duration timeout) {
    }

    /** One chat message. */
    public record Message(String role, String content) {
    }

    /**
     * The first choice's text, and (when logprobs were asked for and returned) the top log-probabilities of its first
     * token, keyed by token text.
     */
    public record Reply(String content, Map<String, Double> firstTokenLogprobs, long promptTokens,
            long completionTokens) {
    }

    /** The call failed for good (after retries, or a non-retryable answer). */
    public static final class CallFailedException extends Exception {
        CallFailedException(String message) {
            super(message, null, false, false);
        }
    }

    private final HttpClient http;
    private final Endpoint endpoint;
    private final Backoff backoff;
    private final TokenBucket rate;
    private final int maxRetries;
    private volatile boolean logprobsRefused;

    public ChatCompletionsClient(HttpClient http, Endpoint endpoint, Backoff backoff, TokenBucket rate,
            int maxRetries) {
        this.http = http;
        this.endpoint = endpoint;
        this.backoff = backoff;
        this.rate = rate;
        this.maxRetries = maxRetries;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Reply complete(List<Message> messages, boolean logprobs, UsageMeter meter) throws CallFailedException {
        int retry = 0;
        while (true) {
            boolean askLogprobs = logprobs && !logprobsRefused;
            Duration retryAfter = null;
            String problem;
            try {
                rate.acquire();
                HttpResponse<String> response = http.send(request(messages, askLogprobs),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    Reply reply = parse(response.body());
                    meter.call(reply.promptTokens(), reply.completionTokens());
                    return reply;
                }
                meter.call(0, 0);
                if (status == 400 && askLogprobs && response.body().contains("logprobs")) {
                    // A server that does not offer logprobs: ask without them from now on (no score, still a label).
                    logprobsRefused = true;
                    continue;
                }
                problem = "HTTP " + status + ": " + abbreviate(response.body());
                if (status != 429 && status < 500) {
                    meter.failedCall();
                    throw new CallFailedException(problem);
                }
                retryAfter = retryAfter(response.headers().firstValue("Retry-After")).orElse(null);
            } catch (HttpTimeoutException e) {
                meter.call(0, 0);
                problem = "timed out after " + endpoint.timeout();
            } catch (IOException e) {
                meter.call(0, 0);
                problem = "connection failed: " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailedException("interrupted");
            }
            if (retry >= maxRetries) {
                meter.failedCall();
                throw new CallFailedException(problem + " (after " + retry + " retries)");
            }
            retry++;
            meter.retry();
            try {
                Thread.sleep(backoff.delay(retry, retryAfter).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailedException("interrupted");
            }
        }
    }

    private HttpRequest request(List<Message> messages, boolean logprobs) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", endpoint.model());
        body.put("temperature", endpoint.temperature());
        body.put("max_tokens", endpoint.maxTokens());
        body.put("n", 1);
        if (logprobs) {
            body.put("logprobs", true);
            body.put("top_logprobs", 5);
        }
        ArrayNode list = body.putArray("messages");
        for (Message m : messages) {
            list.addObject().put("role", m.role()).put("content", m.content());
        }
        String base = endpoint.baseUrl().endsWith("/")
                ? endpoint.baseUrl().substring(0,
                        endpoint.baseUrl().length() - 1)
                : endpoint.baseUrl();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .timeout(endpoint.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
            b.header("Authorization", "Bearer " + endpoint.apiKey());
        }
        return b.build();
    }

    private static Reply parse(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        String text = content.isTextual() ? content.asText() : "";
        Map<String, Double> logprobs = new HashMap<>();
        JsonNode first = choice.path("logprobs").path("content").path(0);
        if (first.isObject()) {
            for (JsonNode top : first.path("top_logprobs")) {
                logprobs.putIfAbsent(top.path("token").asText(), top.path("logprob").asDouble());
            }
            logprobs.putIfAbsent(first.path("token").asText(), first.path("logprob").asDouble());
        }
        JsonNode usage = root.path("usage");
        return new Reply(text, logprobs, usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0));
    }

    /** Retry-After as delta-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(Optional<String> header) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().strip();
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(value) * 1000)));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException ignored) {
                return Optional.empty();
            }
        }
    }

    private static String abbreviate(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
