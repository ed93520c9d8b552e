package io.copeplatform.inference.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** The cache's bookkeeping, with a compute function the test controls (no model needed). */
class PrefixCacheTest {

    /** A fake past of exactly {@code bytes} bytes (one layer). */
    private static PrefixPast pastOf(int bytes) {
        return new PrefixPast(new ByteBuffer[]{ByteBuffer.allocateDirect(bytes / 2)},
                new ByteBuffer[]{ByteBuffer.allocateDirect(bytes / 2)}, 1, 1, bytes / 2 / Float.BYTES);
    }

    private static PrefixCache.Key key(String policy) {
        return new PrefixCache.Key("m", policy, "cope-a-v1");
    }

    @Test
    void fiftyConcurrentRequestsForANewPrefixComputeItOnce() throws Exception {
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        PrefixCache cache = new PrefixCache(1 << 20, ids -> {
            computed.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return pastOf(800);
        });
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<PrefixPast>> results = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(50);
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    started.countDown();
                    return cache.get(key("p"), () -> new long[]{2, 7}).past();
                }));
            }
            assertTrue(started.await(30, TimeUnit.SECONDS));
            release.countDown();
            PrefixPast first = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<PrefixPast> result : results) {
                assertSame(first, result.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, computed.get());
        assertEquals(1, cache.misses());
        assertEquals(49, cache.hits(), "the 49 that waited were served the one computation");
    }

    @Test
    void aSmallBudgetEvictsTheLeastRecentlyUsedFirst() {
        PrefixCache cache = new PrefixCache(2_000, ids -> pastOf(800));
        cache.get(key("a"), () -> new long[]{1});
        cache.get(key("b"), () -> new long[]{1});
        cache.get(key("a"), () -> new long[]{1});
        cache.get(key("c"), () -> new long[]{1});
        assertTrue(cache.contains(key("a")), "recently used");
        assertFalse(cache.contains(key("b")), "least recently used goes first");
        assertTrue(cache.contains(key("c")));
        assertEquals(1, cache.evictions());
        assertEquals(1_600, cache.usedBytes());
    }

    @Test
    void pinnedPrefixesAreNeverEvictedAndOverflowIsServedUncached() {
        PrefixCache cache = new PrefixCache(2_000, ids -> pastOf(800));
        cache.pin(key("live-1"), () -> new long[]{1});
        cache.pin(key("live-2"), () -> new long[]{1});
        for (int i = 0; i < 5; i++) {
            PrefixPast served = cache.get(key("other-" + i), () -> new long[]{1}).past();
            assertEquals(800, served.bytes(), "the request is still served");
        }
        assertTrue(cache.contains(key("live-1")));
        assertTrue(cache.contains(key("live-2")));
        assertEquals(2, cache.pinnedCount());
        assertFalse(cache.contains(key("other-4")), "no room next to the pinned prefixes: not retained");
        assertTrue(cache.usedBytes() <= 2_000);

        cache.unpin(key("live-1"));
        cache.get(key("other-5"), () -> new long[]{1});
        assertTrue(cache.contains(key("other-5")));
        assertFalse(cache.contains(key("live-1")), "unpinned, it became evictable");
    }

    @Test
    void pinningOverBudgetKeepsTheLiveVersionAndEvictsOthers() {
        PrefixCache cache = new PrefixCache(1_000, ids -> pastOf(800));
        cache.get(key("old"), () -> new long[]{1});
        cache.pin(key("live"), () -> new long[]{1});
        assertTrue(cache.contains(key("live")));
        assertFalse(cache.contains(key("old")));
    }
}
