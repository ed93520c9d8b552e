package io.copeplatform.inference.engine;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Classifies content against a policy with one model: tokenizes on the caller's thread (so budget errors are
 * immediate), then scores through the {@link DynamicBatcher}. With the prefix cache on, prompts are batched per policy
 * prefix and each batch runs only its suffixes on top of the policy's cached past.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InferenceEngine.class.getName());

    /** Whether prompts are served from cached policy prefixes, and if not, why. */
    public enum PrefixCacheState {
        ON, OFF_BY_CONFIGURATION, OFF_NO_PAST_KEY_VALUES
    }

    private final ModelBundle bundle;
    private final PrefixCacheState prefixCacheState;
    private final PrefixCache prefixCache;
    private final DynamicBatcher<Scoring, Scored> batcher;

    /** An engine without the prefix cache. */
    public InferenceEngine(ModelBundle bundle, BatcherSettings settings, DynamicBatcher.BatchObserver observer) {
        this(bundle, settings, PrefixCacheSettings.disabled(), observer);
    }

    public InferenceEngine(ModelBundle bundle, BatcherSettings settings, PrefixCacheSettings cache,
            DynamicBatcher.BatchObserver observer) {
        this.bundle = bundle;
        if (!cache.enabled()) {
            prefixCacheState = PrefixCacheState.OFF_BY_CONFIGURATION;
        } else if (!bundle.session().supportsPrefixReuse()) {
            prefixCacheState = PrefixCacheState.OFF_NO_PAST_KEY_VALUES;
            LOG.log(Level.INFO, "Prefix cache off: model {0} has no past-key-values inputs; every prompt runs whole",
                    bundle.manifest().name());
        } else {
            prefixCacheState = PrefixCacheState.ON;
        }
        this.prefixCache = prefixCacheState == PrefixCacheState.ON
                ? new PrefixCache(cache.budgetBytes(), bundle.session()::computePast)
                : null;
        this.batcher = new DynamicBatcher<>(settings, this::score, Scoring::prefix, Scoring::length, observer);
    }

    /** Encodes the prompt (may throw {@link TokenBudgetExceededException}) and queues it. */
    public CompletableFuture<Classification> classify(ClassifyInput input) {
        TokenizedPrompt prompt = bundle.encoder().encode(input.policy(), input.content(),
                input.allowContentTruncation());
        PrefixCache.Key prefix = prefixCache != null && prompt.policy().splittable()
                ? keyOf(prompt.policy().sha256())
                : null;
        return batcher.submit(new Scoring(prompt, prefix), input.deadlineNanos()).thenApply(batched -> {
            Scored scored = batched.value();
            return new Classification(scored.score(), scored.score().label(input.threshold()), input.threshold(),
                    prompt.policyTokens(), prompt.contentTokens(), prompt.originalContentTokens(), prompt.length(),
                    prompt.truncated(),
                    batched.queueNanos(), batched.computeNanos(), batched.batchSize(), scored.prefixCacheHit(),
                    scored.computedTokens());
        });
    }

    /**
     * Pins the prefix of {@code policyText} (a live policy version): computes it now unless cached, and never evicts
     * it. Empty when the cache is off or the policy's prompts cannot be split.
     */
    public Optional<PrefixCache.Key> pin(String policyText) {
        if (prefixCache == null) {
            return Optional.empty();
        }
        PolicyPrefix prefix = bundle.encoder().prefix(policyText);
        if (!prefix.splittable()) {
            return Optional.empty();
        }
        PrefixCache.Key key = keyOf(prefix.sha256());
        prefixCache.pin(key, prefix::ids);
        return Optional.of(key);
    }

    /** Unpins a prefix (no longer live); it stays cached until evicted. */
    public void unpin(PrefixCache.Key key) {
        if (prefixCache != null) {
            prefixCache.unpin(key);
        }
    }

    /** The cache key of a policy text's prefix under this model and template. */
    public PrefixCache.Key keyOf(String policySha256) {
        return new PrefixCache.Key(bundle.manifest().name(), policySha256, bundle.encoder().template().id());
    }

    /** One forward pass for a batch sharing one group key (one cached prefix, or none); also used for warm-up. */
    private List<Scored> score(List<Scoring> items) {
        PrefixCache.Key prefix = items.get(0).prefix();
        List<Scored> scores = new ArrayList<>(items.size());
        if (prefix == null) {
            float[][] logits = bundle.session().labelLogits(items.stream().map(s -> s.prompt().ids()).toList());
            for (int i = 0; i < logits.length; i++) {
                scores.add(new Scored(LabelScore.of(logits[i][0], logits[i][1]), false,
                        items.get(i).prompt().length()));
            }
            return scores;
        }
        PolicyPrefix policy = items.get(0).prompt().policy();
        PrefixCache.Lookup lookup = prefixCache.get(prefix, policy::ids);
        List<long[]> suffixes = items.stream().map(s -> s.prompt().suffixIds()).toList();
        float[][] logits = bundle.session().labelLogitsAfter(lookup.past(), suffixes);
        int prefixComputed = lookup.hit() ? 0 : policy.ids().length;
        for (int i = 0; i < logits.length; i++) {
            scores.add(new Scored(LabelScore.of(logits[i][0], logits[i][1]), lookup.hit(),
                    prefixComputed + suffixes.get(i).length));
        }
        return scores;
    }

    /** Runs real forward passes (whole, and through the prefix cache when on) so no request pays for lazy set-up. */
    public void warmUp() {
        TokenizedPrompt prompt = bundle.encoder().encode("Warm-up policy.", "Warm-up content.", true);
        score(List.of(new Scoring(prompt, null)));
        if (prefixCache != null && prompt.policy().splittable()) {
            score(List.of(new Scoring(prompt, keyOf(prompt.policy().sha256()))));
        }
    }

    public ModelBundle bundle() {
        return bundle;
    }

    public PrefixCacheState prefixCacheState() {
        return prefixCacheState;
    }

    /** The prefix cache, when on (for metrics and model info). */
    public Optional<PrefixCache> prefixCache() {
        return Optional.ofNullable(prefixCache);
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

    /** A prompt to score and the cached prefix it runs after ({@code null}: run whole). */
    private record Scoring(TokenizedPrompt prompt, PrefixCache.Key prefix) {
        /** Tokens this prompt adds to a forward pass (length grouping). */
        int length() {
            return prefix == null ? prompt.length() : prompt.length() - prompt.policy().ids().length;
        }
    }

    /** A score and how it was computed. */
    private record Scored(LabelScore score, boolean prefixCacheHit, int computedTokens) {
    }
}
