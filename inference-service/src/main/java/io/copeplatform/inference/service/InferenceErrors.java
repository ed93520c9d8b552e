package io.copeplatform.inference.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import io.copeplatform.inference.engine.DeadlineExceededException;
import io.copeplatform.inference.engine.InferenceException;
import io.copeplatform.inference.engine.QueueFullException;
import io.copeplatform.inference.engine.ShuttingDownException;
import io.copeplatform.inference.engine.TokenBudgetExceededException;

/** Classifies every failure of a classification as an {@link InferenceError}; the one place that does. */
public final class InferenceErrors {

    private InferenceErrors() {
    }

    public static InferenceError classify(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (t instanceof InferenceError error) {
            return error;
        }
        if (t instanceof TokenBudgetExceededException budget) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("policy_tokens", String.valueOf(budget.policyTokens()));
            metadata.put("content_tokens", String.valueOf(budget.contentTokens()));
            metadata.put("prompt_tokens", String.valueOf(budget.promptTokens()));
            metadata.put("max_context_tokens", String.valueOf(budget.maxContextTokens()));
            return new InferenceError(InferenceError.Kind.INVALID_ARGUMENT, "TOKEN_BUDGET_EXCEEDED",
                    budget.getMessage(), metadata, List.of(new InferenceError.Violation("content",
                            "prompt exceeds the model context; shorten it or set allow_content_truncation")));
        }
        if (t instanceof QueueFullException) {
            return new InferenceError(InferenceError.Kind.RESOURCE_EXHAUSTED, "QUEUE_FULL", t.getMessage(), Map.of(),
                    List.of());
        }
        if (t instanceof DeadlineExceededException) {
            return new InferenceError(InferenceError.Kind.DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED", t.getMessage(),
                    Map.of(), List.of());
        }
        if (t instanceof ShuttingDownException) {
            return new InferenceError(InferenceError.Kind.UNAVAILABLE, "SHUTTING_DOWN", t.getMessage(), Map.of(),
                    List.of());
        }
        if (t instanceof ModelNotReadyException) {
            return new InferenceError(InferenceError.Kind.UNAVAILABLE, "MODEL_NOT_READY", t.getMessage(), Map.of(),
                    List.of());
        }
        String message = t instanceof InferenceException
                ? t.getMessage()
                : "Inference failed (" + t.getClass().getSimpleName() + ")";
        return new InferenceError(InferenceError.Kind.INTERNAL, "INFERENCE_FAILED", message, Map.of(), List.of());
    }
}
