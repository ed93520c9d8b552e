package io.copeplatform.inference.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.inference.engine.BatcherSettings;
import io.copeplatform.inference.engine.ClassifyInput;
import io.copeplatform.inference.engine.DynamicBatcher;
import io.copeplatform.inference.engine.InferenceEngine;
import io.copeplatform.inference.engine.ModelBundle;
import io.copeplatform.inference.engine.PrefixCacheSettings;
import io.copeplatform.inference.engine.SessionSettings;
import io.copeplatform.inference.service.ModelHost;
import io.copeplatform.testkit.bench.LoadGenerator;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Load generator for inference-service on the tiny test model: the service over real gRPC at concurrency 1, 8 and 32,
 * the engine alone (same JVM, same batch settings) at 32, and the engine with batching off at 32. Not part of the test
 * suite (no Test suffix); the command is in the service README. Prints one {@code BENCH inference ...} line. Settings:
 * {@code bench.seconds} (10 per phase), {@code bench.warmup} (60: most seconds at concurrency 32 before each path is
 * measured; warm-up ends earlier once the JIT compiler is quiet).
 */
@QuarkusTest
class InferenceBenchmark {

    private static final String POLICY = """
            # Spam

            ## Overview
            This policy flags unsolicited commercial content: advertising, scams and link farms sent to people who
            did not ask for them.

            ## Definition of Terms
            - **Advertising**: content that promotes a product or service for sale.
            - **Scam**: content that asks for money or personal data under false pretences.

            ## Interpretation of Language
            Read the content literally; a quoted ad counts as an ad.

            ## Definition of Labels

            ### (SP1): Unsolicited advertising
            #### Includes
            - **Advertising** with a link or a price.
            #### Excludes
            - A user asking where to buy something.

            ### (SP2): Scams
            #### Includes
            - A **Scam** that promises prizes for a fee.
            #### Excludes
            - Warnings about scams.
            """;

    private static final String[] CONTENTS = {"Buy cheap watches now at www.example.com, only $9.99 today!",
            "Does anyone know a good place to get my bike repaired?", "You won a prize! Send $50 to claim it.",
            "Meeting moved to 3pm, see you there.", "Best casino bonuses, click the link in my bio for free spins",
            "Warning: there is a scam going around asking for gift cards."};

    @Inject
    ModelHost host;

    @Inject
    MeterRegistry meters;

    @Test
    void serviceAgainstEngineAlone() throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 10);
        int warmup = Integer.getInteger("bench.warmup", 60);
        int port = Integer.getInteger("bench.grpc-port",
                ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class));
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            channels.add(ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build());
        }
        IntToLongFunction grpc = client -> LoadGenerator.timed(() -> InferenceServiceGrpc
                .newBlockingStub(channels.get(client % channels.size())).withDeadlineAfter(60, TimeUnit.SECONDS)
                .classify(ClassifyRequest.newBuilder().setPolicyText(POLICY)
                        .setContent(CONTENTS[client % CONTENTS.length]).build()));
        InferenceEngine engine = host.engine();
        IntToLongFunction engineAlone = client -> LoadGenerator.timed(() -> engine.classify(new ClassifyInput(POLICY,
                CONTENTS[client % CONTENTS.length], 0.5, false, Long.MAX_VALUE)).join());

        // Warm-up at full load until the JIT is quiet: the gRPC/HTTP/2 stack is far more code than the engine, and the
        // JIT keeps compiling it for tens of seconds; measuring earlier charges compilation to the service.
        int serviceWarmup = LoadGenerator.warmUp(32, warmup, grpc);
        LoadGenerator.Result service1 = measure("service_c1", 1, seconds, grpc);
        LoadGenerator.Result service8 = measure("service_c8", 8, seconds, grpc);
        LoadGenerator.Result service32 = measure("service_c32", 32, seconds, grpc);
        int engineWarmup = LoadGenerator.warmUp(32, warmup, engineAlone);
        LoadGenerator.Result engine32 = measure("engine_c32", 32, seconds, engineAlone);

        LoadGenerator.Result unbatched32;
        try (InferenceEngine unbatched = new InferenceEngine(
                ModelBundle.load(engine.bundle().directory(), SessionSettings.cpu()),
                new BatcherSettings(1, Duration.ZERO, 1024, 0.5, 1),
                // Same prefix cache as the service, so the ratio measures batching alone.
                engine.prefixCache().map(cache -> PrefixCacheSettings.enabled(cache.budgetBytes()))
                        .orElse(PrefixCacheSettings.disabled()),
                DynamicBatcher.BatchObserver.NONE)) {
            IntToLongFunction call = client -> LoadGenerator.timed(() -> unbatched.classify(new ClassifyInput(POLICY,
                    CONTENTS[client % CONTENTS.length], 0.5, false, Long.MAX_VALUE)).join());
            LoadGenerator.warmUp(32, warmup, call);
            unbatched32 = LoadGenerator.run(32, seconds, call);
        }
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        printCpu("unbatched_c32", unbatched32, 1.0);
        System.out.println(String.format(Locale.ROOT,
                "BENCH inference model=%s cpus=%d seconds=%d warmup_s=%d/%d max_batch=%d queue_delay_ms=%d "
                        + "c1_p50_ms=%.2f c1_p99_ms=%.2f c1_rps=%.1f c8_p50_ms=%.2f c8_p99_ms=%.2f c8_rps=%.1f "
                        + "c32_p50_ms=%.2f c32_p99_ms=%.2f c32_rps=%.1f engine_c32_rps=%.1f engine_c32_p50_ms=%.2f "
                        + "unbatched_c32_rps=%.1f service_vs_engine=%.2f batching_gain=%.2f c8_p99_over_p50=%.2f "
                        + "c32_cpu_ms=%.3f engine_c32_cpu_ms=%.3f unbatched_c32_cpu_ms=%.3f "
                        + "service_ok=%s batching_ok=%s tail_ok=%s",
                engine.bundle().manifest().name(), Runtime.getRuntime().availableProcessors(), seconds,
                serviceWarmup, engineWarmup,
                ConfigProvider.getConfig().getValue("inference.batching.max-batch-size", Integer.class),
                ConfigProvider.getConfig().getValue("inference.batching.max-queue-delay", Duration.class).toMillis(),
                service1.p50(), service1.p99(), service1.rps(), service8.p50(), service8.p99(), service8.rps(),
                service32.p50(), service32.p99(), service32.rps(), engine32.rps(), engine32.p50(), unbatched32.rps(),
                service32.rps() / engine32.rps(), engine32.rps() / unbatched32.rps(), service8.p99() / service8.p50(),
                service32.cpuMsPerRequest(), engine32.cpuMsPerRequest(), unbatched32.cpuMsPerRequest(),
                service32.rps() >= 0.8 * engine32.rps(), engine32.rps() > unbatched32.rps(),
                service8.p99() < 3 * service8.p50()));
    }

    /** One phase on the service's engine, with the mean batch size it ran at. */
    private LoadGenerator.Result measure(String phase, int clients, int seconds, IntToLongFunction call)
            throws InterruptedException {
        DistributionSummary batches = meters.get("inference.batch.size").summary();
        long runs = batches.count();
        double items = batches.totalAmount();
        LoadGenerator.Result result = LoadGenerator.run(clients, seconds, call);
        printCpu(phase, result, (batches.totalAmount() - items) / Math.max(1, batches.count() - runs));
        return result;
    }

    /** Where each request's CPU time went, by thread group (robust to other load on the machine). */
    private static void printCpu(String phase, LoadGenerator.Result result, double meanBatch) {
        System.out.println(String.format(Locale.ROOT,
                "CPU inference phase=%s rps=%.1f mean_batch=%.2f cpu_ms_per_request=%.3f %s", phase, result.rps(),
                meanBatch, result.cpuMsPerRequest(), result.cpuBreakdown()));
    }
}
