package io.copeplatform.inference.bench;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;

/** Closed-loop load: {@code clients} threads call back-to-back for a fixed time; latency percentiles and throughput. */
final class LoadGenerator {

    private LoadGenerator() {
    }

    /** Latency percentiles (ms) and requests per second of one phase. */
    record Result(double p50, double p99, double rps) {
    }

    /**
     * @param call
     *            one request by client {@code i}; returns its latency in nanoseconds
     */
    static Result run(int clients, int seconds, IntToLongFunction call) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[][] samples = new long[clients][200_000];
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int t = 0; t < clients; t++) {
            int client = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < samples[client].length) {
                    samples[client][n++] = call.applyAsLong(client);
                }
                counts[client] = n;
                done.countDown();
            }, "bench-client-" + t);
            thread.start();
        }
        done.await();
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int t = 0; t < clients; t++) {
            System.arraycopy(samples[t], 0, all, offset, counts[t]);
            offset += counts[t];
        }
        Arrays.sort(all);
        return new Result(all[total / 2] / 1e6, all[Math.min(total - 1, (int) (total * 0.99))] / 1e6,
                total / (double) seconds);
    }

    /** Nanoseconds {@code call} took. */
    static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }
}
