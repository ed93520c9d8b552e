package io.copeplatform.inference.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;

/**
 * The cache's ordering against invalidation events, with the registry's answers released by the test (the registry
 * client itself is tested against the real registry in PolicyReferenceTest).
 */
class PolicyCacheTest {

    private final List<CompletableFuture<ResolvedPolicy>> asked = new ArrayList<>();
    private final PolicyCache cache = new PolicyCache(reference -> {
        CompletableFuture<ResolvedPolicy> answer = new CompletableFuture<>();
        asked.add(answer);
        return Uni.createFrom().completionStage(answer);
    }, Duration.ofMinutes(1), 100, new SimpleMeterRegistry());

    private static ResolvedPolicy version(int n) {
        return new ResolvedPolicy("policies/spam@live", "policies/spam/versions/" + n, "text " + n, "sha" + n, 0.5,
                true,
                false);
    }

    @Test
    void anAnswerCachedBeforeAnInvalidationIsDroppedByIt() {
        CompletableFuture<ResolvedPolicy> first = cache.resolve("policies/spam@live").subscribeAsCompletionStage()
                .toCompletableFuture();
        asked.get(0).complete(version(1));
        assertEquals(version(1), first.join());
        assertEquals(version(1), cache.resolve("policies/spam@live").await().indefinitely(), "served from the cache");
        assertEquals(1, asked.size());

        cache.invalidate("spam");
        CompletableFuture<ResolvedPolicy> second = cache.resolve("policies/spam@live").subscribeAsCompletionStage()
                .toCompletableFuture();
        assertEquals(2, asked.size(), "asked the registry again");
        asked.get(1).complete(version(2));
        assertEquals(version(2), second.join());
    }

    @Test
    void anAnswerOnItsWayWhenTheInvalidationArrivesIsReturnedButNotStored() {
        CompletableFuture<ResolvedPolicy> inFlight = cache.resolve("policies/spam@live").subscribeAsCompletionStage()
                .toCompletableFuture();
        cache.invalidate("spam"); // deployed v2 while the registry was answering v1
        asked.get(0).complete(version(1));
        assertEquals(version(1), inFlight.join());

        CompletableFuture<ResolvedPolicy> next = cache.resolve("policies/spam@live").subscribeAsCompletionStage()
                .toCompletableFuture();
        assertEquals(2, asked.size(), "the possibly stale answer was not cached");
        asked.get(1).complete(version(2));
        assertEquals(version(2), next.join());
        assertEquals(version(2), cache.resolve("policies/spam@live").await().indefinitely());
        assertEquals(2, asked.size());
    }
}
