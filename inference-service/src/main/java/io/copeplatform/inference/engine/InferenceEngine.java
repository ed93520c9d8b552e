package io.copeplatform.inference.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Classifies content against a policy with one model: tokenizes on the caller's thread (so budget errors are
 * immediate), then scores through the {@link DynamicBatcher}.
 */
public final class InferenceEngine implements AutoCloseable {

    private final ModelBundle bundle;
    private final DynamicBatcher<LabelScore> batcher;

    public InferenceEngine(ModelBundle bundle, BatcherSettings settings, DynamicBatcher.BatchObserver observer) {
        this.bundle = bundle;
        this.batcher = new DynamicBatcher<>(settings, this::score, observer);
    }

    /** Encodes the prompt (may throw {@link TokenBudgetExceededException}) and queues it. */
    public CompletableFuture<Classification> classify(ClassifyInput input) {
        TokenizedPrompt prompt = bundle.encoder().encode(input.policy(), input.content(),
                input.allowContentTruncation());
        return batcher.submit(prompt.ids(), input.deadlineNanos())
                .thenApply(batched -> new Classification(batched.value(), batched.value().label(input.threshold()),
                        input.threshold(), prompt.policyTokens(), prompt.contentTokens(), prompt.length(),
                        prompt.truncated(), batched.queueNanos(), batched.computeNanos(), batched.batchSize()));
    }

    /** One forward pass for a whole batch; also used alone for warm-up. */
    List<LabelScore> score(List<long[]> prompts) {
        float[][] logits = bundle.session().labelLogits(prompts);
        List<LabelScore> scores = new ArrayList<>(logits.length);
        for (float[] row : logits) {
            scores.add(LabelScore.of(row[0], row[1]));
        }
        return scores;
    }

    /** Runs one real forward pass so the first request does not pay for lazy initialisation. */
    public void warmUp() {
        TokenizedPrompt prompt = bundle.encoder().encode("Warm-up policy.", "Warm-up content.", true);
        score(List.of(prompt.ids()));
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public int queueDepth() {
        return batcher.queueDepth();
    }

    /** Stops taking work and finishes what is queued (bounded by {@code timeout}), then releases the model. */
    public void close(Duration timeout) {
        batcher.close(timeout);
        bundle.close();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
