package io.copeplatform.labeling.client;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.PromptTemplate;
import io.copeplatform.labeling.domain.UsageMeter;

/**
 * An LLM as a labeler. The question is the CoPE-A prompt; the answer is parsed strictly ("0"/"1", or a JSON object
 * whose label field holds 0/1/false/true). A malformed answer is asked again once, then recorded as MALFORMED; it is
 * never coerced into a label. With logprobs, score = P("1") renormalised over the "0" and "1" tokens.
 */
public final class ChatLabeler implements Labeler {

    static final String DIGIT_SYSTEM_PROMPT = "You are a content labeler. Follow the INSTRUCTIONS in the user message. "
            + "Reply with exactly one character: 1 or 0. No other text.";
    static final String JSON_SYSTEM_PROMPT = "You are a content labeler. Follow the INSTRUCTIONS in the user message. "
            + "Reply with only a JSON object of the form {\"%s\": 1} or {\"%s\": 0}.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatCompletionsClient client;
    private final Semaphore inFlight;
    private final boolean logprobs;
    private final String jsonLabelField;

    /**
     * @param jsonLabelField
     *            the JSON field of the label, or null for the digit format
     */
    public ChatLabeler(ChatCompletionsClient client, int maxConcurrency, boolean logprobs, String jsonLabelField) {
        this.client = client;
        this.inFlight = new Semaphore(maxConcurrency, true);
        this.logprobs = logprobs;
        this.jsonLabelField = jsonLabelField;
    }

    @Override
    public String description() {
        return "chat-completions:" + client.endpoint().model();
    }

    @Override
    public Answer label(String policyText, String content, UsageMeter meter) {
        List<ChatCompletionsClient.Message> messages = List.of(
                new ChatCompletionsClient.Message("system", jsonLabelField == null
                        ? DIGIT_SYSTEM_PROMPT
                        : String.format(Locale.ROOT, JSON_SYSTEM_PROMPT, jsonLabelField, jsonLabelField)),
                new ChatCompletionsClient.Message("user", PromptTemplate.copeA(policyText, content)));
        long prompt = 0;
        long completion = 0;
        String raw = "";
        for (int attempt = 1; attempt <= 2; attempt++) {
            ChatCompletionsClient.Reply reply;
            try {
                inFlight.acquire();
                try {
                    reply = client.complete(messages, logprobs, meter);
                } finally {
                    inFlight.release();
                }
            } catch (ChatCompletionsClient.CallFailedException e) {
                return Answer.failed(e.getMessage(), attempt, prompt, completion);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Answer.failed("interrupted", attempt, prompt, completion);
            }
            prompt += reply.promptTokens();
            completion += reply.completionTokens();
            raw = reply.content();
            Boolean label = parse(raw);
            if (label != null) {
                return Answer.labeled(label, score(reply.firstTokenLogprobs()), raw, attempt, prompt, completion,
                        client.endpoint().model(), "");
            }
        }
        meter.malformed();
        return Answer.malformed(raw, 2, prompt, completion);
    }

    /** The label of a strict answer, or null when malformed. */
    Boolean parse(String raw) {
        String answer = raw == null ? "" : raw.strip();
        if (jsonLabelField == null) {
            return "1".equals(answer) ? Boolean.TRUE : "0".equals(answer) ? Boolean.FALSE : null;
        }
        try {
            JsonNode node = JSON.readTree(answer);
            if (node == null || !node.isObject()) {
                return null;
            }
            JsonNode value = node.get(jsonLabelField);
            if (value == null) {
                return null;
            }
            if (value.isBoolean()) {
                return value.booleanValue();
            }
            String text = value.asText();
            return "1".equals(text) ? Boolean.TRUE : "0".equals(text) ? Boolean.FALSE : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** P("1") from the first token's top logprobs; null when neither "0" nor "1" is among them. */
    static Double score(Map<String, Double> logprobs) {
        Double one = logprobs.get("1");
        Double zero = logprobs.get("0");
        if (one == null && zero == null) {
            return null;
        }
        double p1 = one == null ? 0 : Math.exp(one);
        double p0 = zero == null ? 0 : Math.exp(zero);
        if (zero == null) {
            return Math.min(1.0, p1);
        }
        if (one == null) {
            return Math.max(0.0, 1 - p0);
        }
        return p1 / (p1 + p0);
    }
}
