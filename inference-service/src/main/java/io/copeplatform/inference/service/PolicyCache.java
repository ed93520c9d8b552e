package io.copeplatform.inference.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

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
 * policy.events.v1 says it changed (publish, deploy, deprecate...), so a deploy takes effect on the next request. A
 * reference never resolved before fails with REGISTRY_UNAVAILABLE while the registry is down.
 */
@ApplicationScoped
public class PolicyCache {

    private static final Logger LOG = Logger.getLogger(PolicyCache.class);

    private final PolicyRegistryClient registry;
    private final Duration ttl;
    private final Cache<String, Entry> entries;
    private final Counter hits;
    private final Counter misses;
    private final Counter staleServed;

    public PolicyCache(PolicyRegistryClient registry, InferenceConfig config, MeterRegistry meters) {
        this.registry = registry;
        this.ttl = config.registry().cacheTtl();
        this.entries = Caffeine.newBuilder().maximumSize(config.registry().cacheMaxEntries()).build();
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
        return registry.resolve(reference)
                .invoke(policy -> entries.put(reference, new Entry(policy, System.nanoTime())))
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
        entries.asMap().keySet().removeIf(reference -> ResolvedPolicy.policyIdOf(reference).equals(policyId));
    }

    private record Entry(ResolvedPolicy policy, long fetchedNanos) {
    }
}
