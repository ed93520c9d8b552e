package io.copeplatform.inference.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.Test;

import io.copeplatform.inference.engine.BatcherSettings;
import io.copeplatform.inference.engine.ClassifyInput;
import io.copeplatform.inference.engine.DynamicBatcher;
import io.copeplatform.inference.engine.InferenceEngine;
import io.copeplatform.inference.engine.ModelBundle;
import io.copeplatform.inference.engine.PolicyPrefix;
import io.copeplatform.inference.engine.PrefixCacheSettings;
import io.copeplatform.inference.engine.SessionSettings;
import io.copeplatform.testkit.TempDirectories;
import io.copeplatform.testkit.bench.LoadGenerator;
import io.copeplatform.testkit.model.TinyModel;

/**
 * Load generator for the policy-prefix KV cache (issue 5) on the tiny model's KV variant: a policy of ~1,000 tokens,
 * contents of ~50 tokens, concurrency 1 and 16, the same engine settings with the cache off and on, in one run. Not
 * part of the test suite (no Test suffix); the command is in the service README. Prints one
 * {@code BENCH prefix-cache ...} line with latencies, throughputs, the target ratios and the memory per cached prefix
 * (measured for the tiny model, computed for Gemma-2-9B: 42 layers x 8 KV heads x 256 head dim x 2 (K and V) x 2 bytes
 * per token). Settings: {@code bench.seconds} (10 per phase), {@code bench.warmup} (3).
 */
class PrefixCacheBenchmark {

    /** Gemma-2-9B: layers x KV heads x head dim x (K, V) x bytes (float16). */
    private static final long GEMMA2_9B_BYTES_PER_TOKEN = 42L * 8 * 256 * 2 * 2;
    private static final String[] CLAUSES = {
            "Content that promotes a product or service for sale to people who did not ask for it.",
            "Messages that ask for money, gift cards or personal data under false pretences.",
            "Links to pages that exist only to collect clicks, with no content of their own.",
            "Repeated identical posts across many threads within a short period of time.",
            "Offers of prizes, lotteries or inheritances that require a fee to be claimed.",
            "Impersonation of a bank, a delivery company or a government office to obtain data."};

    @Test
    void cachedAgainstUncached() throws IOException, InterruptedException {
        int seconds = Integer.getInteger("bench.seconds", 10);
        int warmup = Integer.getInteger("bench.warmup", 3);
        Path bundle = TinyModel.write(TempDirectories.createDeletedOnExit("cope-bench-").resolve("kv"),
                TinyModel.Variant.KV);
        BatcherSettings batching = new BatcherSettings(16, Duration.ofMillis(5), 1024, 0.5, 1);
        try (InferenceEngine uncached = new InferenceEngine(ModelBundle.load(bundle, SessionSettings.cpu()),
                batching, PrefixCacheSettings.disabled(), DynamicBatcher.BatchObserver.NONE);
                InferenceEngine cached = new InferenceEngine(ModelBundle.load(bundle, SessionSettings.cpu()),
                        batching, PrefixCacheSettings.enabled(512L << 20), DynamicBatcher.BatchObserver.NONE)) {
            String policy = policyOfAbout(cached, 1_000);
            String[] contents = contentsOfAbout(cached, policy, 50);
            PolicyPrefix prefix = cached.bundle().encoder().prefix(policy);
            int contentTokens = cached.bundle().encoder().encode(policy, contents[0], false).contentTokens();

            Load off = new Load(uncached, policy, contents);
            Load on = new Load(cached, policy, contents);
            LoadGenerator.run(4, warmup, off);
            LoadGenerator.run(4, warmup, on);
            LoadGenerator.Result off1 = LoadGenerator.run(1, seconds, off);
            LoadGenerator.Result on1 = LoadGenerator.run(1, seconds, on);
            LoadGenerator.Result off16 = LoadGenerator.run(16, seconds, off);
            LoadGenerator.Result on16 = LoadGenerator.run(16, seconds, on);

            long prefixBytes = cached.prefixCache().orElseThrow().usedBytes()
                    / Math.max(1, cached.prefixCache().orElseThrow().size());
            double latencyRatio = on1.p50() / off1.p50();
            double throughputRatio = on16.rps() / off16.rps();
            System.out.println(String.format(Locale.ROOT,
                    "BENCH prefix-cache model=%s cpus=%d seconds=%d max_batch=%d queue_delay_ms=%d "
                            + "policy_tokens=%d prefix_tokens=%d content_tokens=%d "
                            + "off_c1_p50_ms=%.2f on_c1_p50_ms=%.2f off_c1_p99_ms=%.2f on_c1_p99_ms=%.2f "
                            + "off_c16_rps=%.1f on_c16_rps=%.1f off_c16_p50_ms=%.2f on_c16_p50_ms=%.2f "
                            + "cached_p50_over_uncached=%.3f c16_throughput_gain=%.2f "
                            + "tiny_bytes_per_prefix=%d tiny_bytes_per_token=%d gemma2_9b_bytes_per_token=%d "
                            + "gemma2_9b_bytes_per_prefix=%d latency_ok=%s throughput_ok=%s",
                    cached.bundle().manifest().name(), Runtime.getRuntime().availableProcessors(), seconds,
                    batching.maxBatchSize(), batching.maxQueueDelay().toMillis(), prefix.policyTokens(),
                    prefix.ids().length, contentTokens, off1.p50(), on1.p50(), off1.p99(), on1.p99(), off16.rps(),
                    on16.rps(), off16.p50(), on16.p50(), latencyRatio, throughputRatio, prefixBytes,
                    prefixBytes / prefix.ids().length, GEMMA2_9B_BYTES_PER_TOKEN,
                    GEMMA2_9B_BYTES_PER_TOKEN * prefix.ids().length, latencyRatio <= 0.25, throughputRatio >= 3));
        }
    }

    /** A policy made of clauses until its own tokens reach {@code tokens}. */
    private static String policyOfAbout(InferenceEngine engine, int tokens) {
        StringBuilder policy = new StringBuilder("# Spam\n\n## Overview\nThis policy flags unsolicited commercial "
                + "content.\n\n## Definition of Labels\n\n### (SP1): Spam\n#### Includes\n");
        for (int i = 0; engine.bundle().tokenizer().encode(policy.toString()).length < tokens; i++) {
            policy.append("- ").append(CLAUSES[i % CLAUSES.length]).append(" (rule ").append(i).append(")\n");
        }
        return policy.append("#### Excludes\n- Users asking where to buy something.\n").toString();
    }

    /** Six contents of about {@code tokens} tokens each, all different. */
    private static String[] contentsOfAbout(InferenceEngine engine, String policy, int tokens) {
        String[] contents = new String[6];
        for (int c = 0; c < contents.length; c++) {
            StringBuilder content = new StringBuilder("Post " + c + ":");
            for (int i = 0; engine.bundle().encoder().encode(policy, content.toString(), false)
                    .contentTokens() < tokens; i++) {
                content.append(' ').append(CLAUSES[(c + i) % CLAUSES.length].split(" ")[i % 8]);
            }
            contents[c] = content.toString();
        }
        return contents;
    }

    /** Requests cycling through the contents. */
    private record Load(InferenceEngine engine, String policy, String[] contents, AtomicInteger next)
            implements
                IntToLongFunction {
        Load(InferenceEngine engine, String policy, String[] contents) {
            this(engine, policy, contents, new AtomicInteger());
        }

        @Override
        public long applyAsLong(int client) {
            String content = contents[Math.floorMod(next.getAndIncrement(), contents.length)];
            return LoadGenerator.timed(() -> engine
                    .classify(new ClassifyInput(policy, content, 0.5, false, Long.MAX_VALUE)).join());
        }
    }
}
