package io.copeplatform.inference.engine;

import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Policy-prefix KV tensors, computed once and reused: bounded by bytes, least-recently-used eviction, and PINNING — the
 * prefixes of live policy versions are pinned and never evicted (vLLM's prefix cache is LRU-only and cannot promise
 * that). A prefix being computed is computed once however many requests want it at the same moment; the others wait for
 * it. When pinned entries alone exceed the budget, a new unpinned prefix is used for its request but not retained
 * (logged), so the cache never grows past its budget.
 */
public final class PrefixCache {

    private static final System.Logger LOG = System.getLogger(PrefixCache.class.getName());

    /** What a prefix depends on: the model, the exact policy text (by hash) and the template. */
    public record Key(String model, String policySha256, String templateId) {
    }

    private final long budgetBytes;
    private final Function<long[], PrefixPast> compute;
    private final LinkedHashMap<Key, PrefixPast> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<Key> pinned = new HashSet<>();
    private final Map<Key, CompletableFuture<PrefixPast>> inFlight = new ConcurrentHashMap<>();
    private long usedBytes;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong computeNanos = new AtomicLong();

    /**
     * @param compute
     *            runs a prefix (token ids, {@code <bos>} first) through the model and returns its past
     */
    public PrefixCache(long budgetBytes, Function<long[], PrefixPast> compute) {
        this.budgetBytes = budgetBytes;
        this.compute = compute;
    }

    /** A past and whether it came from the cache (or from a computation another caller was already running). */
    public record Lookup(PrefixPast past, boolean hit) {
    }

    /** The cached past of {@code key}, computing it (once) from {@code prefixIds} on a miss. */
    public Lookup get(Key key, Supplier<long[]> prefixIds) {
        synchronized (this) {
            PrefixPast cached = entries.get(key);
            if (cached != null) {
                hits.incrementAndGet();
                return new Lookup(cached, true);
            }
        }
        CompletableFuture<PrefixPast> mine = new CompletableFuture<>();
        CompletableFuture<PrefixPast> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            hits.incrementAndGet();
            return new Lookup(running.join(), true);
        }
        misses.incrementAndGet();
        try {
            long started = System.nanoTime();
            PrefixPast past = compute.apply(prefixIds.get());
            computeNanos.addAndGet(System.nanoTime() - started);
            retain(key, past);
            mine.complete(past);
            return new Lookup(past, false);
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(key);
        }
    }

    /** Pins {@code key} (a live policy version): computes it now if absent, and never evicts it. */
    public PrefixPast pin(Key key, Supplier<long[]> prefixIds) {
        synchronized (this) {
            pinned.add(key);
        }
        PrefixPast past = get(key, prefixIds).past();
        synchronized (this) {
            if (!entries.containsKey(key)) {
                // Retained even over budget: live versions must be served from cache; unpinned ones make room.
                entries.put(key, past);
                usedBytes += past.bytes();
                evictUnpinned();
            }
            long pinnedBytes = pinnedBytes();
            if (pinnedBytes > budgetBytes) {
                LOG.log(Level.WARNING, "Prefix cache: pinned (live) prefixes alone use {0} bytes, over the budget of "
                        + "{1}; other policies are served without caching their prefix. Raise "
                        + "inference.prefix-cache.max-bytes", pinnedBytes, budgetBytes);
            }
        }
        return past;
    }

    /** Unpins {@code key} (no longer live); it stays cached until LRU eviction. */
    public synchronized void unpin(Key key) {
        pinned.remove(key);
        evictUnpinned();
    }

    private synchronized void retain(Key key, PrefixPast past) {
        if (entries.containsKey(key)) {
            return;
        }
        long pinnedBytes = pinnedBytes();
        if (!pinned.contains(key) && pinnedBytes + past.bytes() > budgetBytes) {
            LOG.log(Level.WARNING, "Prefix cache: pinned prefixes use {0} of {1} bytes; a {2}-byte prefix is served "
                    + "uncached", pinnedBytes, budgetBytes, past.bytes());
            return;
        }
        entries.put(key, past);
        usedBytes += past.bytes();
        evictUnpinned();
    }

    /** Drops least-recently-used unpinned entries until the cache fits its budget (or only pinned ones remain). */
    private void evictUnpinned() {
        Iterator<Map.Entry<Key, PrefixPast>> lru = entries.entrySet().iterator();
        while (usedBytes > budgetBytes && lru.hasNext()) {
            Map.Entry<Key, PrefixPast> entry = lru.next();
            if (!pinned.contains(entry.getKey())) {
                usedBytes -= entry.getValue().bytes();
                lru.remove();
                evictions.incrementAndGet();
            }
        }
    }

    /** Iterates instead of get(): a get would count as a use and reorder the LRU. */
    private long pinnedBytes() {
        long bytes = 0;
        for (Map.Entry<Key, PrefixPast> entry : entries.entrySet()) {
            if (pinned.contains(entry.getKey())) {
                bytes += entry.getValue().bytes();
            }
        }
        return bytes;
    }

    public synchronized boolean contains(Key key) {
        return entries.containsKey(key);
    }

    /** Whether {@code key} is pinned and cached. */
    public synchronized boolean isPinned(Key key) {
        return pinned.contains(key) && entries.containsKey(key);
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public synchronized long usedBytes() {
        return usedBytes;
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized int pinnedCount() {
        return (int) entries.keySet().stream().filter(pinned::contains).count();
    }

    public long hits() {
        return hits.get();
    }

    public long misses() {
        return misses.get();
    }

    public long evictions() {
        return evictions.get();
    }

    public long computeNanos() {
        return computeNanos.get();
    }
}
