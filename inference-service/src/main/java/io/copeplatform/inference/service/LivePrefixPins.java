package io.copeplatform.inference.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.copeplatform.inference.client.PolicyRegistryClient;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.engine.PrefixCache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Keeps the prefixes of live policy versions pinned in the prefix cache, so production traffic never waits for a
 * prefix: at start-up every live version is pinned (in the background; readiness does not wait for the registry), and
 * each PolicyVersionDeployed pins the new version before its first request and unpins the one it replaced. An undeploy
 * or delete unpins. A failure to pin is logged and costs only speed: the version is then cached on first use.
 */
@ApplicationScoped
public class LivePrefixPins {

    private static final Logger LOG = Logger.getLogger(LivePrefixPins.class);

    private final ModelHost host;
    private final PolicyRegistryClient registry;
    private final InferenceConfig config;
    /** policy id → the key pinned for its live version. */
    private final Map<String, PrefixCache.Key> pinned = new ConcurrentHashMap<>();
    /** One thread, so pins and unpins apply in event order and never hold up the events listener. */
    private final ExecutorService pinning = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "prefix-pins");
        thread.setDaemon(true);
        return thread;
    });

    public LivePrefixPins(ModelHost host, PolicyRegistryClient registry, InferenceConfig config) {
        this.host = host;
        this.registry = registry;
        this.config = config;
    }

    /** After {@link ModelHost} loaded the model (observers run in priority order). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        if (enabled()) {
            pinning.execute(this::pinAllLive);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        pinning.shutdownNow();
    }

    private void pinAllLive() {
        try {
            for (String policy : registry.livePolicies().await().atMost(timeout())) {
                pinLive(ResolvedPolicy.policyIdOf(policy), policy + "@live");
            }
            LOG.infof("Prefix cache: %d live policy versions pinned at start-up", pinned.size());
        } catch (RuntimeException e) {
            LOG.warnf("Prefix cache: could not list live policies at start-up (%s); they are pinned on their next "
                    + "deployment or cached on first use", e.getMessage());
        }
    }

    /**
     * A policy's live alias moved to {@code versionName} ({@code policies/x/versions/N}); pins it in the background.
     */
    public void deployed(String policyId, String versionName) {
        if (enabled()) {
            pinning.execute(() -> pinLive(policyId, versionName));
        }
    }

    /** A policy has no live version any more (undeployed or deleted); applied in order with pending pins. */
    public void withdrawn(String policyId) {
        pinning.execute(() -> unpin(policyId));
    }

    private void unpin(String policyId) {
        PrefixCache.Key previous = pinned.remove(policyId);
        if (previous != null && host.ready()) {
            host.engine().unpin(previous);
        }
    }

    private void pinLive(String policyId, String reference) {
        try {
            // Retried for about half a minute: deployments are rare, and after a registry outage the gRPC channel
            // refuses calls until its reconnect back-off expires.
            // Straight from the registry: pinning must not put entries into the request path's reference cache.
            ResolvedPolicy live = registry.resolve(reference).onFailure().retry()
                    .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).atMost(8)
                    .await().atMost(Duration.ofMinutes(2));
            host.engine().pin(live.text()).ifPresentOrElse(key -> {
                PrefixCache.Key previous = pinned.put(policyId, key);
                if (previous != null && !previous.equals(key)) {
                    host.engine().unpin(previous);
                }
                LOG.debugf("Prefix cache: pinned %s (%s)", live.policyVersion(), key.policySha256());
            }, () -> unpin(policyId));
        } catch (RuntimeException e) {
            LOG.warnf("Prefix cache: could not pin %s (%s); it is cached on first use", reference, e.getMessage());
        }
    }

    /** Pinned live versions by policy id (for tests and diagnostics). */
    public Map<String, PrefixCache.Key> pinned() {
        return Map.copyOf(pinned);
    }

    private boolean enabled() {
        return config.prefixCache().enabled() && config.prefixCache().pinLive() && host.ready()
                && host.engine().prefixCache().isPresent();
    }

    private Duration timeout() {
        return config.registry().timeout().multipliedBy(5);
    }
}
