package io.copeplatform.registry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToLongFunction;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.stats.CacheStats;

import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.registry.RegistryClient;
import io.copeplatform.registry.repository.PolicyResolver;
import io.copeplatform.registry.repository.ResolutionCache;
import io.copeplatform.testkit.bench.LoadGenerator;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * ResolvePolicy by alias over real gRPC (as served: from the resolution cache once warm), against the resolution's
 * query called directly (no transport, no cache: what a cache miss costs) and a SELECT of the same row through the same
 * reactive pool, all with the same number of concurrent clients in the same run. Not part of the test suite (the class
 * name does not end in Test); run it with the command in the service README. Prints one line:
 * {@code BENCH registry-resolve key=value ...}.
 * <p>
 * Settings (system properties): {@code bench.clients} (16), {@code bench.seconds} (10 per phase), {@code bench.warmup}
 * (60: most seconds of warm-up per phase; it ends earlier once the JIT compiler is quiet). One {@code CPU
 * registry-resolve} line per phase says what each request cost in CPU: this JVM by thread group, and the embedded
 * PostgreSQL's processes.
 */
@QuarkusTest
class ResolvePolicyBenchmark {

    private static final String BASELINE_SQL = "SELECT v.version, v.text, v.sha256 FROM registry.policy_versions v "
            + "WHERE v.policy_id = $1 AND v.version = $2";

    @Inject
    Pool pool;
    @Inject
    PolicyResolver resolver;
    @Inject
    ResolutionCache cache;

    @Test
    void resolveByAliasAgainstPlainSelect() throws Exception {
        int clients = Integer.getInteger("bench.clients", 16);
        int seconds = Integer.getInteger("bench.seconds", 10);
        int warmup = Integer.getInteger("bench.warmup", 60);
        try (RegistryClient client = new RegistryClient()) {
            var api = client.blocking();
            client.create("bench", RegistryClient.GOOD_POLICY);
            api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/bench").build());
            api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder().setName("policies/bench/versions/1")
                    .build());
            ResolvePolicyRequest request = ResolvePolicyRequest.newBuilder().setReference("policies/bench@live")
                    .build();
            // Each client has its own connection, as separate inference-service replicas would.
            List<RegistryClient> connections = new ArrayList<>();
            List<PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub> stubs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                RegistryClient connection = new RegistryClient();
                connections.add(connection);
                stubs.add(PolicyRegistryServiceGrpc.newBlockingStub(connection.blocking().getChannel()));
            }
            IntToLongFunction grpcCall = i -> LoadGenerator.timed(() -> stubs.get(i)
                    .resolvePolicy(request));
            IntToLongFunction queryCall = i -> LoadGenerator.timed(() -> resolver
                    .query("bench", PolicyResolver.Selector.LIVE, 0).await().indefinitely());
            IntToLongFunction selectCall = i -> LoadGenerator.timed(
                    () -> pool.preparedQuery(BASELINE_SQL).execute(Tuple.of("bench", 1)).await().indefinitely());

            // Each path is warmed up until the JIT is quiet: the gRPC/HTTP/2 stack needs far longer than the SELECT.
            int grpcWarmup = LoadGenerator.warmUp(clients, warmup, grpcCall);
            CacheStats before = cache.stats();
            LoadGenerator.Result grpc = measure("grpc", clients, seconds, grpcCall);
            CacheStats during = cache.stats().minus(before);
            LoadGenerator.warmUp(clients, warmup, queryCall);
            LoadGenerator.Result query = measure("query", clients, seconds, queryCall);
            int selectWarmup = LoadGenerator.warmUp(clients, warmup, selectCall);
            LoadGenerator.Result select = measure("select", clients, seconds, selectCall);

            System.out.println(String.format(Locale.ROOT,
                    "BENCH registry-resolve clients=%d seconds=%d warmup_s=%d/%d cpus=%d grpc_p50_ms=%.3f "
                            + "grpc_p99_ms=%.3f grpc_rps=%.0f grpc_cache_hit_ratio=%.4f query_p50_ms=%.3f query_p99_ms=%.3f "
                            + "query_rps=%.0f "
                            + "select_p50_ms=%.3f select_p99_ms=%.3f select_rps=%.0f grpc_cpu_ms=%.3f "
                            + "select_cpu_ms=%.3f throughput_ratio=%.2f p99_target_ms=10 p99_ok=%s ratio_ok=%s",
                    clients, seconds, grpcWarmup, selectWarmup, Runtime.getRuntime().availableProcessors(),
                    grpc.p50(), grpc.p99(), grpc.rps(), during.hitCount() / (grpc.rps() * seconds), query.p50(),
                    query.p99(), query.rps(),
                    select.p50(),
                    select.p99(), select.rps(), grpc.cpuMsPerRequest(), select.cpuMsPerRequest(),
                    grpc.rps() / select.rps(), grpc.p99() < 10.0, grpc.rps() / select.rps() >= 0.5));
            for (RegistryClient connection : connections) {
                connection.close();
            }
        }
    }

    /** One measured phase, and where its CPU went (this JVM by thread group, and PostgreSQL's processes). */
    private static LoadGenerator.Result measure(String phase, int clients, int seconds, IntToLongFunction call)
            throws InterruptedException {
        LoadGenerator.Result result = LoadGenerator.run(clients, seconds, call);
        System.out
                .println(String.format(Locale.ROOT, "CPU registry-resolve phase=%s rps=%.0f cpu_ms_per_request=%.3f %s",
                        phase, result.rps(), result.cpuMsPerRequest(), result.cpuBreakdown()));
        return result;
    }
}
