package io.copeplatform.registry.repository;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;

import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.registry.repository.PolicyResolver.Resolution;
import io.copeplatform.registry.repository.PolicyResolver.Selector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.mutiny.Uni;

/**
 * This replica's cache of ResolvePolicy rows, correct only while it hears every change: entries are served and stored
 * only while {@link ResolutionChangeListener} vouches that PostgreSQL's notifications of committed changes (any
 * replica's) reach it ({@link #vouch}); losing that empties the cache and sends every resolution to PostgreSQL until it
 * is back. A change committed elsewhere is served stale for no longer than its notification takes to arrive (about a
 * millisecond on a LAN); a change committed by this replica is dropped before its caller hears it succeeded, so a
 * client reads its own writes.
 * <p>
 * A load that raced with a change must not store what it read before the change: every invalidation bumps a generation,
 * and a load stores its row only if the generation it started under is still current.
 */
@ApplicationScoped
public class ResolutionCache {

    /** One cached answer: a policy and selector ({@code number} is 0 unless the selector is NUMBER). */
    record Key(String policyId, Selector selector, int number) {
    }

    /** What an answer costs besides its text (key, row, cache entry), roughly. */
    private static final int ENTRY_OVERHEAD_BYTES = 256;

    private final Cache<Key, Resolution> entries;
    private long generation; // guarded by this
    private volatile boolean listening;
    /** {@link System#nanoTime()} until which the listener vouches that every change has been heard. */
    private volatile long vouchedUntil;

    public ResolutionCache(RegistryConfig config, MeterRegistry metrics) {
        this.entries = Caffeine.newBuilder().maximumWeight(config.resolveCache().maxBytes())
                .weigher((Key key, Resolution row) -> ENTRY_OVERHEAD_BYTES
                        + (row.text() == null ? 0 : row.text().length()))
                .recordStats().build();
        CaffeineCacheMetrics.monitor(metrics, entries, "registry.resolutions");
        Gauge.builder("registry.resolutions.listening", this, cache -> cache.listening() ? 1 : 0)
                .description("1 while the resolution cache hears PostgreSQL's change notifications (and is used)")
                .register(metrics);
    }

    /** The cached row for {@code key}, or {@code load}'s (stored when nothing changed meanwhile). */
    Uni<Resolution> get(Key key, Supplier<Uni<Resolution>> load) {
        if (!listening()) {
            return load.get();
        }
        Resolution cached = entries.getIfPresent(key);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        long startedUnder = generation();
        return load.get().invoke(loaded -> store(key, loaded, startedUnder));
    }

    /** Drops every cached answer about {@code policyId} (called on its change notification and after local writes). */
    public synchronized void invalidate(String policyId) {
        generation++;
        entries.asMap().keySet().removeIf(key -> key.policyId().equals(policyId));
    }

    /** Drops every cached answer (a change whose policies are unknown, e.g. a TRUNCATE). */
    public synchronized void invalidateAll() {
        generation++;
        entries.invalidateAll();
    }

    /**
     * Every change committed so far has been heard (a probe came back after them), and will be until {@code untilNanos}
     * ({@link System#nanoTime()}) unless vouched for again: past it the cache is bypassed, even if the listener's event
     * loop is too busy to notice that its probe is late. The first call after {@link #stopListening()} starts from
     * empty: what changed before is unknown.
     */
    synchronized void vouch(long untilNanos) {
        if (!listening) {
            generation++;
            entries.invalidateAll();
            listening = true;
        }
        vouchedUntil = untilNanos;
    }

    /** Notifications may be missed from now on: serve and store nothing until vouched for again. */
    synchronized void stopListening() {
        listening = false;
        generation++;
        entries.invalidateAll();
    }

    /** Whether answers are being served from the cache: listening, and vouched for until now at least. */
    public boolean listening() {
        return listening && System.nanoTime() - vouchedUntil < 0;
    }

    public CacheStats stats() {
        return entries.stats();
    }

    private synchronized long generation() {
        return generation;
    }

    private synchronized void store(Key key, Resolution loaded, long startedUnder) {
        // A missing policy is not stored: its creation does not notify, and such lookups are rare.
        if (loaded != null && listening() && generation == startedUnder) {
            entries.put(key, loaded);
        }
    }
}
