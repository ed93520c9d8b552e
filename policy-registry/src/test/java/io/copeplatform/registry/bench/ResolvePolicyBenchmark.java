package io.copeplatform.registry.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.registry.RegistryClient;
import io.copeplatform.registry.service.PolicyResolution;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * ResolvePolicy by alias over real gRPC, against the same resolution called on the service bean (no transport) and a
 * SELECT of the same row through the same reactive pool, all with the same number of concurrent clients in the same
 * run. Not part of the test suite (the class name does not end in Test); run it with the command in the service README.
 * Prints one line: {@code BENCH registry-resolve key=value ...}.
 * <p>
 * Settings (system properties): {@code bench.clients} (16), {@code bench.seconds} (10 per phase), {@code bench.warmup}
 * (3 seconds per phase).
 */
@QuarkusTest
class ResolvePolicyBenchmark {

    private static final String BASELINE_SQL = "SELECT v.version, v.text, v.sha256 FROM registry.policy_versions v "
            + "WHERE v.policy_id = $1 AND v.version = $2";

    @Inject
    Pool pool;
    @Inject
    PolicyResolution resolution;

    @Test
    void resolveByAliasAgainstPlainSelect() throws Exception {
        int clients = Integer.getInteger("bench.clients", 16);
        int seconds = Integer.getInteger("bench.seconds", 10);
        int warmup = Integer.getInteger("bench.warmup", 3);
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
            ThreadLocal<PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub> stub = ThreadLocal
                    .withInitial(() -> stubs.get(Integer.parseInt(Thread.currentThread().getName()
                            .substring("bench-client-".length()))));

            LongSupplier grpcCall = () -> timed(() -> stub.get().resolvePolicy(request));
            LongSupplier directCall = () -> timed(
                    () -> resolution.resolve("policies/bench@live").await().indefinitely());
            LongSupplier selectCall = () -> timed(
                    () -> pool.preparedQuery(BASELINE_SQL).execute(Tuple.of("bench", 1)).await().indefinitely());

            run(clients, warmup, grpcCall);
            Result grpc = run(clients, seconds, grpcCall);
            run(clients, warmup, directCall);
            Result direct = run(clients, seconds, directCall);
            run(clients, warmup, selectCall);
            Result select = run(clients, seconds, selectCall);

            System.out.println(String.format(Locale.ROOT,
                    "BENCH registry-resolve clients=%d seconds=%d cpus=%d grpc_p50_ms=%.3f grpc_p99_ms=%.3f "
                            + "grpc_rps=%.0f direct_p50_ms=%.3f direct_p99_ms=%.3f direct_rps=%.0f select_p50_ms=%.3f select_p99_ms=%.3f select_rps=%.0f "
                            + "throughput_ratio=%.2f p99_target_ms=10 p99_ok=%s ratio_ok=%s",
                    clients, seconds, Runtime.getRuntime().availableProcessors(), grpc.p50(), grpc.p99(),
                    grpc.rps(), direct.p50(), direct.p99(), direct.rps(), select.p50(), select.p99(), select.rps(),
                    grpc.rps() / select.rps(),
                    grpc.p99() < 10.0, grpc.rps() / select.rps() >= 0.5));
            for (RegistryClient connection : connections) {
                connection.close();
            }
        }
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /** {@code clients} threads call {@code call} in a loop for {@code seconds}; latencies in nanoseconds. */
    private static Result run(int clients, int seconds, LongSupplier call) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<long[]> perThread = new ArrayList<>();
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int t = 0; t < clients; t++) {
            long[] samples = new long[400_000];
            perThread.add(samples);
            int index = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < samples.length) {
                    samples[n++] = call.getAsLong();
                }
                counts[index] = n;
                done.countDown();
            }, "bench-client-" + t);
            thread.start();
        }
        done.await();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int t = 0; t < clients; t++) {
            System.arraycopy(perThread.get(t), 0, all, offset, counts[t]);
            offset += counts[t];
        }
        Arrays.sort(all);
        return new Result(all[total / 2] / 1e6, all[(int) (total * 0.99)] / 1e6, total / (double) seconds);
    }

    private record Result(double p50, double p99, double rps) {
    }
}
