package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine with the policy-prefix KV cache on, against the same model with it off: equal scores (|diff| < 1e-4) for
 * single requests, batched groups and mixed-policy batches; provenance; single computation under concurrency; eviction;
 * pinning; a model without past-key-values.
 */
class PrefixCachedEngineTest {

    private static final String SPAM = "## Overview\nFlags unsolicited advertising and scams.\n\n"
            + "## Definition of Labels\n### (SP1): Ads\n#### Includes\n- ads\n#### Excludes\n- questions\n";
    private static final String HATE = "## Overview\nFlags attacks on people for who they are.\n\n"
            + "## Definition of Labels\n### (HS1): Attacks\n#### Includes\n- slurs\n#### Excludes\n- news\n";
    private static final String SELF_HARM = "## Overview\nFlags encouragement of self-harm.\n";
    private static final List<String> CONTENTS = List.of("Buy cheap watches now", "hello",
            "CLICK HERE to claim your free prize, only a small fee!", "see you at 3", "you people are all the same",
            "new phone who dis");

    private static InferenceEngine uncached;

    @BeforeAll
    static void openReference() {
        uncached = new InferenceEngine(ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu()),
                new BatcherSettings(1, Duration.ZERO, 256, 0.5, 1), PrefixCacheSettings.disabled(),
                DynamicBatcher.BatchObserver.NONE);
    }

    @AfterAll
    static void closeReference() {
        uncached.close();
    }

    private static InferenceEngine cachedEngine(long budgetBytes, int maxBatch) {
        return new InferenceEngine(ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu()),
                new BatcherSettings(maxBatch, Duration.ofMillis(maxBatch > 1 ? 100 : 0), 256, 0.9, 1),
                PrefixCacheSettings.enabled(budgetBytes), DynamicBatcher.BatchObserver.NONE);
    }

    private static Classification run(InferenceEngine engine, String policy, String content) {
        return engine.classify(new ClassifyInput(policy, content, 0.5, false, Long.MAX_VALUE)).join();
    }

    private static double reference(String policy, String content) {
        return run(uncached, policy, content).score().score();
    }

    @Test
    void singleRequestsScoreAsWithoutTheCacheAndReportTheirProvenance() {
        try (InferenceEngine cached = cachedEngine(64L << 20, 1)) {
            assertEquals(InferenceEngine.PrefixCacheState.ON, cached.prefixCacheState());
            Classification first = run(cached, SPAM, CONTENTS.get(0));
            assertFalse(first.prefixCacheHit(), "the first request computes the prefix");
            assertEquals(first.promptTokens(), first.computedTokens());
            for (String content : CONTENTS) {
                Classification c = run(cached, SPAM, content);
                assertEquals(reference(SPAM, content), c.score().score(), 1e-4, content);
                assertTrue(c.prefixCacheHit(), content);
                assertTrue(c.computedTokens() < c.promptTokens() - c.policyTokens(),
                        "only the suffix runs: " + c.computedTokens() + " of " + c.promptTokens());
                assertEquals(run(uncached, SPAM, content).promptTokens(), c.promptTokens());
            }
        }
    }

    @Test
    void float16PastsScoreAsTheWholePromptAloneAndBatched() throws Exception {
        try (InferenceEngine whole = new InferenceEngine(ModelBundle.load(TinyBundles.kvFloat16(),
                SessionSettings.cpu()), new BatcherSettings(1, Duration.ZERO, 256, 0.5, 1),
                PrefixCacheSettings.disabled(), DynamicBatcher.BatchObserver.NONE);
                InferenceEngine cached = new InferenceEngine(ModelBundle.load(TinyBundles.kvFloat16(),
                        SessionSettings.cpu()), new BatcherSettings(8, Duration.ofMillis(100), 256, 0.9, 1),
                        PrefixCacheSettings.enabled(64L << 20), DynamicBatcher.BatchObserver.NONE)) {
            assertEquals(2, cached.bundle().manifest().bytesPerElement());
            Classification first = run(cached, SPAM, CONTENTS.get(0)); // computes and caches the prefix
            long perToken = 2L * 2 * 2 * 16 * 2; // layers x (key, value) x kv heads x head_dim x 2 bytes (float16)
            long used = cached.prefixCache().orElseThrow().usedBytes();
            assertEquals(0, used % perToken, "float16 past: " + used + " bytes");
            assertTrue(used / perToken > first.policyTokens() && used / perToken < first.promptTokens(),
                    used / perToken + " cached tokens");
            List<CompletableFuture<Classification>> batch = new ArrayList<>();
            for (String content : CONTENTS) {
                batch.add(cached.classify(new ClassifyInput(SPAM, content, 0.5, false, Long.MAX_VALUE)));
            }
            for (int i = 0; i < CONTENTS.size(); i++) {
                Classification c = batch.get(i).get(30, TimeUnit.SECONDS);
                assertTrue(c.prefixCacheHit());
                // The cached past went through float16 once (the graph's boundary); the whole pass keeps the prefix's
                // keys and values in float32 inside the graph. (A real float16 model computes in float16 both ways.)
                assertEquals(run(whole, SPAM, CONTENTS.get(i)).score().score(), c.score().score(), 2e-3,
                        CONTENTS.get(i));
                // And within float16 rounding of the float32 model.
                assertEquals(reference(SPAM, CONTENTS.get(i)), c.score().score(), 1e-2, CONTENTS.get(i));
            }
        }
    }

    @Test
    void mixedPolicyBatchesRunOneGroupPerPrefixAndScoreAsWithoutTheCache() throws Exception {
        try (InferenceEngine cached = cachedEngine(64L << 20, 16)) {
            List<String> policies = List.of(SPAM, HATE, SELF_HARM);
            List<CompletableFuture<Classification>> together = new ArrayList<>();
            for (String content : CONTENTS) {
                for (String policy : policies) {
                    together.add(cached.classify(new ClassifyInput(policy, content, 0.5, false, Long.MAX_VALUE)));
                }
            }
            int largest = 0;
            int i = 0;
            for (String content : CONTENTS) {
                for (String policy : policies) {
                    Classification c = together.get(i++).get(60, TimeUnit.SECONDS);
                    largest = Math.max(largest, c.batchSize());
                    assertEquals(reference(policy, content), c.score().score(), 1e-4, policy + " / " + content);
                }
            }
            assertTrue(largest > 1, "requests of one policy arriving together share a forward pass");
            assertTrue(largest <= CONTENTS.size(), "a forward pass never mixes prefixes");
            assertEquals(3, cached.prefixCache().orElseThrow().size());
        }
    }

    @Test
    void fiftyConcurrentFirstRequestsForAPolicyComputeItsPrefixOnce() {
        try (InferenceEngine cached = cachedEngine(64L << 20, 4)) {
            List<CompletableFuture<Classification>> burst = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                burst.add(cached.classify(new ClassifyInput(HATE, CONTENTS.get(i % CONTENTS.size()), 0.5, false,
                        Long.MAX_VALUE)));
            }
            burst.forEach(CompletableFuture::join);
            PrefixCache cache = cached.prefixCache().orElseThrow();
            assertEquals(1, cache.misses(), "computed once");
            assertEquals(1, cache.size());
        }
    }

    @Test
    void aBudgetForOnePrefixEvictsTheLeastRecentlyUsed() {
        long onePrefix;
        try (InferenceEngine probe = cachedEngine(64L << 20, 1)) {
            run(probe, SPAM, "x");
            onePrefix = probe.prefixCache().orElseThrow().usedBytes();
        }
        // Room for the spam prefix plus change, not for two policies.
        try (InferenceEngine cached = cachedEngine(onePrefix + onePrefix / 4, 1)) {
            run(cached, SPAM, "a");
            run(cached, HATE, "b");
            Classification again = run(cached, SPAM, "c");
            PrefixCache cache = cached.prefixCache().orElseThrow();
            assertFalse(again.prefixCacheHit(), "spam was evicted when hate came in");
            assertEquals(reference(SPAM, "c"), again.score().score(), 1e-4);
            assertTrue(cache.evictions() >= 2, "evictions: " + cache.evictions());
            assertTrue(cache.usedBytes() <= cache.budgetBytes());
        }
    }

    @Test
    void aPinnedLivePolicyIsServedFromTheCacheFromItsFirstRequestAndSurvivesPressure() {
        long onePrefix;
        try (InferenceEngine probe = cachedEngine(64L << 20, 1)) {
            run(probe, SPAM, "x");
            onePrefix = probe.prefixCache().orElseThrow().usedBytes();
        }
        try (InferenceEngine cached = cachedEngine(onePrefix + onePrefix / 4, 1)) {
            PrefixCache.Key key = cached.pin(SPAM).orElseThrow();
            PrefixCache cache = cached.prefixCache().orElseThrow();
            assertEquals(1, cache.pinnedCount());
            assertTrue(run(cached, SPAM, "first").prefixCacheHit(), "pinned before its first request");
            Classification other = run(cached, HATE, "other");
            assertEquals(reference(HATE, "other"), other.score().score(), 1e-4, "served, though not retained");
            assertTrue(cache.contains(key), "never evicted while pinned");
            assertTrue(run(cached, SPAM, "again").prefixCacheHit());

            cached.unpin(key);
            run(cached, HATE, "now there is room");
            assertFalse(cache.contains(key), "unpinned, it is evictable");
        }
    }

    @Test
    void aModelWithoutPastKeyValuesRunsUncachedWithoutError() {
        try (InferenceEngine engine = new InferenceEngine(ModelBundle.load(TinyBundles.noKv(), SessionSettings.cpu()),
                BatcherSettings.defaults(), PrefixCacheSettings.enabled(64L << 20),
                DynamicBatcher.BatchObserver.NONE)) {
            assertEquals(InferenceEngine.PrefixCacheState.OFF_NO_PAST_KEY_VALUES, engine.prefixCacheState());
            assertTrue(engine.prefixCache().isEmpty());
            assertTrue(engine.pin(SPAM).isEmpty());
            Classification c = run(engine, SPAM, "Buy cheap watches now");
            assertFalse(c.prefixCacheHit());
            assertEquals(c.promptTokens(), c.computedTokens());
        }
    }
}
