package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The batcher's mechanics, with a batch function whose timing the test controls (no model needed). */
class DynamicBatcherTest {

    @Test
    void promptsArrivingTogetherShareOneBatch() throws Exception {
        List<Integer> batchSizes = new ArrayList<>();
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(8, Duration.ofMillis(200), 100, 0.9, 1), prompts -> {
                    synchronized (batchSizes) {
                        batchSizes.add(prompts.size());
                    }
                    return prompts.stream().map(p -> p.length).toList();
                }, DynamicBatcher.BatchObserver.NONE)) {
            List<CompletableFuture<DynamicBatcher.Batched<Integer>>> results = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                results.add(batcher.submit(new long[i], Long.MAX_VALUE));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(i + 1, results.get(i).get(10, TimeUnit.SECONDS).value(), "results stay with their prompt");
            }
        }
        assertEquals(List.of(8), batchSizes);
    }

    @Test
    void aLoneRequestOnAQuietBatcherDoesNotWaitForCompany() throws Exception {
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(8, Duration.ofSeconds(1), 100, 0.9, 1),
                prompts -> prompts.stream().map(p -> p.length).toList(), DynamicBatcher.BatchObserver.NONE)) {
            // The first gathering assumes company and waits for it; it finds none.
            batcher.submit(new long[1], Long.MAX_VALUE).get(10, TimeUnit.SECONDS);
            long started = System.nanoTime();
            assertEquals(2, batcher.submit(new long[2], Long.MAX_VALUE).get(10, TimeUnit.SECONDS).value());
            assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(500),
                    "no 1 s wait for company that is not coming");
        }
    }

    @Test
    void lengthGroupingSplitsABatchThatWouldBeMostlyPadding() throws Exception {
        List<Integer> batchSizes = new ArrayList<>();
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(8, Duration.ofMillis(200), 100, 0.5, 1), prompts -> {
                    synchronized (batchSizes) {
                        batchSizes.add(prompts.size());
                    }
                    return prompts.stream().map(p -> p.length).toList();
                }, DynamicBatcher.BatchObserver.NONE)) {
            List<CompletableFuture<DynamicBatcher.Batched<Integer>>> results = new ArrayList<>();
            for (int length : new int[]{10, 11, 12, 1000}) {
                results.add(batcher.submit(new long[length], Long.MAX_VALUE));
            }
            for (CompletableFuture<DynamicBatcher.Batched<Integer>> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(List.of(3, 1), batchSizes);
    }

    @Test
    void itemsWithDifferentGroupKeysNeverShareABatch() throws Exception {
        List<List<String>> batches = new ArrayList<>();
        try (DynamicBatcher<String, String> batcher = new DynamicBatcher<>(
                new BatcherSettings(8, Duration.ofMillis(200), 100, 0.9, 1), items -> {
                    synchronized (batches) {
                        batches.add(items);
                    }
                    return items;
                }, item -> item.charAt(0), String::length, DynamicBatcher.BatchObserver.NONE)) {
            List<CompletableFuture<DynamicBatcher.Batched<String>>> results = new ArrayList<>();
            for (String item : List.of("a1", "b1", "a2", "b2", "a3", "c1")) {
                results.add(batcher.submit(item, Long.MAX_VALUE));
            }
            for (CompletableFuture<DynamicBatcher.Batched<String>> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
        }
        assertEquals(3, batches.size(), "one forward pass per key: " + batches);
        for (List<String> batch : batches) {
            assertEquals(1, batch.stream().map(item -> item.charAt(0)).distinct().count(), "mixed keys: " + batch);
        }
    }

    @Test
    void aFailingGroupDoesNotFailTheOthersGatheredWithIt() throws Exception {
        try (DynamicBatcher<String, String> batcher = new DynamicBatcher<>(
                new BatcherSettings(8, Duration.ofMillis(200), 100, 0.9, 1), items -> {
                    if (items.get(0).startsWith("bad")) {
                        throw new IllegalStateException("this group fails");
                    }
                    return items;
                }, item -> item.substring(0, 3), String::length, DynamicBatcher.BatchObserver.NONE)) {
            var bad = batcher.submit("bad-1", Long.MAX_VALUE);
            var good = batcher.submit("good-1", Long.MAX_VALUE);
            assertEquals("good-1", good.get(10, TimeUnit.SECONDS).value());
            ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    @Test
    void aPromptWhoseDeadlinePassesWhileAnEarlierPartOfItsGatheringComputesIsDroppedToo() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger computed = new AtomicInteger();
        // No padding allowed: prompts of length 1 and 2 are gathered together but computed as two parts, shortest first.
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(2, Duration.ofSeconds(5), 10, 0.0, 1), prompts -> {
                    entered.countDown();
                    await(release);
                    computed.addAndGet(prompts.size());
                    return prompts.stream().map(p -> p.length).toList();
                }, new DynamicBatcher.BatchObserver() {
                })) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            var first = batcher.submit(new long[1], Long.MAX_VALUE);
            var second = batcher.submit(new long[2], deadline);
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> System.nanoTime() > deadline);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS));
            assertInstanceOf(DeadlineExceededException.class, e.getCause());
        }
        assertEquals(1, computed.get(), "the second part was not computed after its deadline");
    }

    @Test
    void aPromptWhoseDeadlinePassedInTheQueueIsDroppedBeforeCompute() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger computed = new AtomicInteger();
        AtomicInteger dropped = new AtomicInteger();
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(1, Duration.ZERO, 10, 0.5, 1), prompts -> {
                    await(release);
                    computed.addAndGet(prompts.size());
                    return prompts.stream().map(p -> p.length).toList();
                }, new DynamicBatcher.BatchObserver() {
                    @Override
                    public void droppedPastDeadline() {
                        dropped.incrementAndGet();
                    }
                })) {
            var blocker = batcher.submit(new long[1], Long.MAX_VALUE);
            var expired = batcher.submit(new long[2], System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1));
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            release.countDown();
            blocker.get(10, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> expired.get(10, TimeUnit.SECONDS));
            assertInstanceOf(DeadlineExceededException.class, e.getCause());
        }
        assertEquals(1, computed.get(), "only the blocker was computed");
        assertEquals(1, dropped.get());
    }

    @Test
    void aFullQueueRefusesAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(
                new BatcherSettings(1, Duration.ZERO, 2, 0.5, 1), prompts -> {
                    started.countDown();
                    await(release);
                    return prompts.stream().map(p -> p.length).toList();
                }, DynamicBatcher.BatchObserver.NONE)) {
            var running = batcher.submit(new long[1], Long.MAX_VALUE);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            var queued1 = batcher.submit(new long[1], Long.MAX_VALUE);
            var queued2 = batcher.submit(new long[1], Long.MAX_VALUE);
            long before = System.nanoTime();
            assertThrows(QueueFullException.class, () -> batcher.submit(new long[1], Long.MAX_VALUE));
            assertTrue(System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(100), "no waiting");
            release.countDown();
            running.get(10, TimeUnit.SECONDS);
            queued1.get(10, TimeUnit.SECONDS);
            queued2.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closingFinishesQueuedWorkAndRefusesNewWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DynamicBatcher<long[], Integer> batcher = DynamicBatcher.ofPrompts(new BatcherSettings(1, Duration.ZERO, 10,
                0.5, 1),
                prompts -> {
                    await(release);
                    return prompts.stream().map(p -> p.length).toList();
                }, DynamicBatcher.BatchObserver.NONE);
        List<CompletableFuture<DynamicBatcher.Batched<Integer>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(batcher.submit(new long[i + 1], Long.MAX_VALUE));
        }
        Thread closer = new Thread(() -> batcher.close(Duration.ofSeconds(30)));
        closer.start();
        release.countDown();
        closer.join(30_000);
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, inFlight.get(i).get(1, TimeUnit.SECONDS).value());
        }
        assertThrows(ShuttingDownException.class, () -> batcher.submit(new long[1], Long.MAX_VALUE));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
