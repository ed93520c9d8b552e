package io.copeplatform.registry.repository;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.registry.RegistryClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code registry.resolve-cache.enabled=false}: nothing listens, nothing is cached, every resolution is a query. */
@QuarkusTest
@TestProfile(ResolutionCacheDisabledTest.CacheOff.class)
class ResolutionCacheDisabledTest {

    public static class CacheOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("registry.resolve-cache.enabled", "false");
        }
    }

    @Inject
    ResolutionCache cache;
    @Inject
    ResolutionChangeListener listener;

    @Test
    void everyResolutionGoesToPostgres() throws InterruptedException {
        try (RegistryClient client = new RegistryClient()) {
            client.create("uncached", GOOD_POLICY);
            client.blocking().publishPolicyVersion(
                    PublishPolicyVersionRequest.newBuilder().setParent("policies/uncached").build());
            for (int i = 0; i < 3; i++) {
                assertEquals(1, client.blocking().resolvePolicy(ResolvePolicyRequest.newBuilder()
                        .setReference("policies/uncached@latest").build()).getVersion());
            }
        }
        assertFalse(cache.listening());
        assertEquals(-1, listener.backendPid(), "no listening connection");
        assertEquals(0, cache.stats().requestCount(), "the cache was never consulted");
    }
}
