package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class InferenceEngineTest {

    private static final String POLICY = "## Overview\nFlags unsolicited advertising.\n";

    @Test
    void concurrentRequestsAreBatchedAndScoredAsIfAlone() throws Exception {
        List<String> contents = List.of("Buy now", "hello friend", "CLICK HERE for free money!!!", "ok",
                "Limited offer: cheap watches", "see you tomorrow at the meeting");
        try (InferenceEngine engine = new InferenceEngine(ModelBundle.load(TinyBundles.kv(), SessionSettings.cpu()),
                new BatcherSettings(8, Duration.ofMillis(100), 64, 0.9, 1), DynamicBatcher.BatchObserver.NONE)) {
            engine.warmUp();
            List<CompletableFuture<Classification>> batched = new ArrayList<>();
            for (String content : contents) {
                batched.add(engine.classify(new ClassifyInput(POLICY, content, 0.5, false, Long.MAX_VALUE)));
            }
            int largestBatch = 0;
            for (int i = 0; i < contents.size(); i++) {
                Classification together = batched.get(i).get(30, TimeUnit.SECONDS);
                largestBatch = Math.max(largestBatch, together.batchSize());
                Classification alone = engine
                        .classify(new ClassifyInput(POLICY, contents.get(i), 0.5, false, Long.MAX_VALUE))
                        .get(30, TimeUnit.SECONDS);
                assertEquals(alone.score().score(), together.score().score(), 1e-4, contents.get(i));
                assertEquals(together.score().label(0.5), together.label());
                assertEquals(together.label() ? together.score().score() : 1 - together.score().score(),
                        together.confidence(), 1e-12);
                assertEquals(together.policyTokens(), alone.policyTokens());
                assertTrue(together.promptTokens() > together.policyTokens() + together.contentTokens());
            }
            assertTrue(largestBatch > 1, "requests submitted together must share a forward pass");
        }
    }

    @Test
    void theTokenBudgetIsCheckedBeforeQueueing() {
        try (InferenceEngine engine = new InferenceEngine(ModelBundle.load(TinyBundles.noKv(), SessionSettings.cpu()),
                BatcherSettings.defaults(), DynamicBatcher.BatchObserver.NONE)) {
            String huge = "spam ".repeat(20_000);
            assertThrows(TokenBudgetExceededException.class,
                    () -> engine.classify(new ClassifyInput(POLICY, huge, 0.5, false, Long.MAX_VALUE)));
            assertEquals(0, engine.queueDepth());
        }
    }
}
