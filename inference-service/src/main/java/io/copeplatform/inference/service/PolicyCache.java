package io.copeplatform.inference.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.copeplatform.inference.client.PolicyRegistryClient;
import io.copeplatform.inference.client.RegistryUnavailableException;
import io.copeplatform.inference.config.InferenceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * Resolved policy references, cached (bounded, Caffeine). An entry younger than the TTL is served as is; an older one
 * is re-resolved, and served stale if the registry cannot be reached. A policy's entries are dropped as soon as
 * policy.events.v1 says it changed (publish, deploy, deprecate...), so a deploy takes effect on the next request; an
 * answer that was on its way while such an event came in is returned but not stored (it may predate the change). A
 * reference never resolved before fails with REGISTRY_UNAVAILABLE while the registry is down.
 */
@ApplicationScoped
public class PolicyCache {

    private static final Logger LOG = Logger.getLogger(PolicyCache.class);

    /** How the cache asks the registry (the gRPC client in the service). */
    interface Resolver {
        Uni<ResolvedPolicy> resolve(String reference);
    }

    private final Resolver registry;
    /** Counts invalidations: a resolution that saw it change while in flight is not stored. */
    private final AtomicLong invalidations = new AtomicLong();
    private final Duration ttl;
    private final Cache<String, Entry> entries;
    private final Counter hits;
    private final Counter misses;
    private final Counter staleServed;

    @Inject
    public PolicyCache(PolicyRegistryClient registry, InferenceConfig config, MeterRegistry meters) {
        this(registry::resolve, config.registry().cacheTtl(), config.registry().cacheMaxEntries(), meters);
    }

    PolicyCache(Resolver registry, Duration ttl, long maxEntries, MeterRegistry meters) {
        this.registry = registry;
        this.ttl = ttl;
        this.entries = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.hits = Counter.builder("inference.policy.cache").tag("result", "hit").register(meters);
        this.misses = Counter.builder("inference.policy.cache").tag("result", "miss").register(meters);
        this.staleServed = Counter.builder("inference.policy.cache").tag("result", "stale").register(meters);
    }

    public Uni<ResolvedPolicy> resolve(String reference) {
        Entry cached = entries.getIfPresent(reference);
        long now = System.nanoTime();
        if (cached != null && now - cached.fetchedNanos() < ttl.toNanos()) {
            hits.increment();
            return Uni.createFrom().item(cached.policy());
        }
        misses.increment();
        long generation = invalidations.get();
        return registry.resolve(reference)
                .invoke(policy -> {
                    if (invalidations.get() == generation) {
                        entries.put(reference, new Entry(policy, System.nanoTime()));
                    }
                })
                .onFailure(RegistryUnavailableException.class).recoverWithUni(failure -> {
                    Entry stale = entries.getIfPresent(reference);
                    if (stale != null) {
                        staleServed.increment();
                        LOG.debugf("Serving %s from cache: %s", reference, failure.getMessage());
                        return Uni.createFrom().item(stale.policy());
                    }
                    return Uni.createFrom().failure(new InferenceError(InferenceError.Kind.UNAVAILABLE,
                            "REGISTRY_UNAVAILABLE", failure.getMessage(), Map.of("policy_ref", reference),
                            List.of()));
                });
    }

    /** Drops every cached reference of {@code policyId}. */
    public void invalidate(String policyId) {
        invalidations.incrementAndGet();
        entries.asMap().keySet().removeIf(reference -> ResolvedPolicy.policyIdOf(reference).equals(policyId));
    }

    private record Entry(ResolvedPolicy policy, long fetchedNanos) {
    }
}
