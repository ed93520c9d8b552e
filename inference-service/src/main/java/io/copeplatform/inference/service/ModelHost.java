package io.copeplatform.inference.service;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.engine.BatcherSettings;
import io.copeplatform.inference.engine.DynamicBatcher;
import io.copeplatform.inference.engine.InferenceEngine;
import io.copeplatform.inference.engine.ModelBundle;
import io.copeplatform.inference.engine.ModelLoadException;
import io.copeplatform.inference.engine.PrefixCache;
import io.copeplatform.inference.engine.PrefixCacheSettings;
import io.copeplatform.inference.engine.SessionSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Owns the one model this instance serves: loads it at start-up (failing start-up with the loader's message), warms it
 * up with one forward pass, reports readiness, and drains queued work on shutdown.
 */
@ApplicationScoped
public class ModelHost {

    private static final Logger LOG = Logger.getLogger(ModelHost.class);

    private final InferenceConfig config;
    private final MeterRegistry meters;
    private volatile InferenceEngine engine;
    private volatile Instant loadTime;

    public ModelHost(InferenceConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
    }

    void onStart(@Observes StartupEvent event) {
        Path dir = config.model().dir().filter(p -> !p.toString().isBlank())
                .orElseThrow(() -> new ModelLoadException("No model configured: set COPE_MODEL_DIR (or "
                        + "inference.model.dir) to a model bundle directory (docs/model-bundle.md); ./run-local.sh "
                        + "provides the project's tiny test model"));
        SessionSettings session = new SessionSettings(
                SessionSettings.Mode.valueOf(config.model().device().toUpperCase(Locale.ROOT)),
                config.model().cudaDeviceId(), config.model().intraOpThreads(), config.model().interOpThreads());
        var batching = config.batching();
        var cache = config.prefixCache();
        InferenceEngine loaded = new InferenceEngine(ModelBundle.load(dir, session),
                new BatcherSettings(batching.maxBatchSize(), batching.maxQueueDelay(), batching.queueCapacity(),
                        batching.maxPaddingRatio(), batching.workers()),
                new PrefixCacheSettings(cache.enabled(), cache.maxBytes().asLongValue()), observer());
        loaded.warmUp();
        var manifest = loaded.bundle().manifest();
        Gauge.builder("inference.queue.depth", loaded, InferenceEngine::queueDepth).register(meters);
        loaded.prefixCache().ifPresent(this::registerPrefixCacheMeters);
        Gauge.builder("inference.model.info", () -> 1).tag("model", manifest.name())
                .tag("version", manifest.version()).tag("device", loaded.bundle().session().device().name())
                .tag("test_model", String.valueOf(manifest.testModel())).register(meters);
        engine = loaded;
        loadTime = Instant.now();
        LOG.infof("Serving model %s %s%s on %s from %s; prefix cache %s", manifest.name(), manifest.version(),
                manifest.testModel() ? " (TEST MODEL: untrained, not CoPE)" : "",
                loaded.bundle().session().device(), dir, loaded.prefixCacheState());
    }

    private void registerPrefixCacheMeters(PrefixCache cache) {
        FunctionCounter.builder("inference.prefix.cache.lookups", cache, PrefixCache::hits).tag("result", "hit")
                .description("Prefix lookups (one per batch group) served from the cache").register(meters);
        FunctionCounter.builder("inference.prefix.cache.lookups", cache, PrefixCache::misses).tag("result", "miss")
                .description("Prefix lookups that computed the prefix").register(meters);
        FunctionCounter.builder("inference.prefix.cache.evictions", cache, PrefixCache::evictions)
                .register(meters);
        FunctionCounter.builder("inference.prefix.cache.compute.seconds", cache, c -> c.computeNanos() / 1e9)
                .description("Time spent computing prefixes").register(meters);
        Gauge.builder("inference.prefix.cache.bytes", cache, PrefixCache::usedBytes).register(meters);
        Gauge.builder("inference.prefix.cache.budget.bytes", cache, PrefixCache::budgetBytes).register(meters);
        Gauge.builder("inference.prefix.cache.entries", cache, PrefixCache::size).register(meters);
        Gauge.builder("inference.prefix.cache.pinned.entries", cache, PrefixCache::pinnedCount).register(meters);
    }

    void onStop(@Observes ShutdownEvent event) {
        InferenceEngine serving = engine;
        if (serving != null) {
            serving.close(config.batching().drainTimeout());
        }
    }

    /** The engine; only call after readiness. */
    public InferenceEngine engine() {
        InferenceEngine serving = engine;
        if (serving == null) {
            throw new ModelNotReadyException();
        }
        return serving;
    }

    public boolean ready() {
        return engine != null;
    }

    public Instant loadTime() {
        return loadTime;
    }

    private DynamicBatcher.BatchObserver observer() {
        DistributionSummary batchSize = DistributionSummary.builder("inference.batch.size").register(meters);
        Timer compute = Timer.builder("inference.batch.compute").register(meters);
        Counter dropped = Counter.builder("inference.rejections").tag("reason", "deadline").register(meters);
        Counter rejected = Counter.builder("inference.rejections").tag("reason", "queue_full").register(meters);
        return new DynamicBatcher.BatchObserver() {
            @Override
            public void batch(int size, int maxTokens, long computeNanos) {
                batchSize.record(size);
                compute.record(computeNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void droppedPastDeadline() {
                dropped.increment();
            }

            @Override
            public void rejected() {
                rejected.increment();
            }
        };
    }
}
