package io.copeplatform.testkit.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.stream.Collectors;

/**
 * Closed-loop load for the services' benchmarks: {@code clients} threads call back-to-back for a fixed time; latency
 * percentiles, throughput, and the CPU time each request cost, by thread group of this JVM plus the local processes
 * named in {@code bench.processes} (default {@code postgres}: the embedded database's server processes). CPU per
 * request does not depend on what else runs on the machine (throughput does), so it is the figure to compare when the
 * machine is shared.
 */
public final class LoadGenerator {

    /** Linux's USER_HZ: /proc reports CPU time in ticks of 10 ms. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private LoadGenerator() {
    }

    /**
     * Latency percentiles (ms), requests per second, and CPU milliseconds per request in total and by thread group (the
     * OS thread name, at most 15 characters, digits replaced by {@code #}, e.g. {@code vert.x-eventloo}).
     */
    public record Result(double p50, double p99, double rps, double cpuMsPerRequest, Map<String, Double> cpuMsByGroup) {

        /** CPU milliseconds per request of one thread group (0 when absent). */
        public double cpuMsPerRequest(String group) {
            return cpuMsByGroup.getOrDefault(group, 0.0);
        }

        /** The groups costing at least 0.01 ms per request, most expensive first: {@code group=ms,...}. */
        public String cpuBreakdown() {
            return cpuMsByGroup.entrySet().stream().filter(e -> e.getValue() >= 0.01)
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .map(e -> String.format(Locale.ROOT, "%s=%.3f", e.getKey().replace(' ', '_'), e.getValue()))
                    .collect(Collectors.joining(","));
        }
    }

    /**
     * Runs {@code call} at {@code clients} in rounds of 2 s until the JIT compiler is quiet (under 100 ms of
     * compilation in the last round) or {@code maxSeconds} have passed; returns the seconds it took. A phase measured
     * while the JIT still compiles its code path charges the compilation to that path.
     */
    public static int warmUp(int clients, int maxSeconds, IntToLongFunction call) throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        int seconds = 0;
        while (seconds < maxSeconds) {
            long compiledBefore = jit.getTotalCompilationTime();
            run(clients, 2, call);
            seconds += 2;
            if (jit.getTotalCompilationTime() - compiledBefore < 100) {
                break;
            }
        }
        return seconds;
    }

    /**
     * @param call
     *            one request by client {@code i}; returns its latency in nanoseconds
     */
    public static Result run(int clients, int seconds, IntToLongFunction call) throws InterruptedException {
        long[][] samples = new long[clients][200_000];
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        CountDownLatch measured = new CountDownLatch(1);
        Map<String, CpuSample> cpuBefore = cpuSamples();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Thread[] threads = new Thread[clients];
        for (int t = 0; t < clients; t++) {
            int client = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < samples[client].length) {
                    samples[client][n++] = call.applyAsLong(client);
                }
                counts[client] = n;
                done.countDown();
                awaitQuietly(measured); // alive until the CPU snapshot, so its time is counted
            }, "bench-client-" + t);
            threads[t] = thread;
            thread.start();
        }
        done.await();
        Map<String, CpuSample> cpuAfter = cpuSamples();
        measured.countDown();
        for (Thread thread : threads) {
            thread.join(); // none of them may end inside the next phase's measurement
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int t = 0; t < clients; t++) {
            System.arraycopy(samples[t], 0, all, offset, counts[t]);
            offset += counts[t];
        }
        Arrays.sort(all);
        Map<String, Double> perRequest = new TreeMap<>();
        cpuAfter.forEach((id, after) -> {
            CpuSample before = cpuBefore.get(id);
            long nanos = after.nanos() - (before == null ? 0 : before.nanos());
            perRequest.merge(after.group(), nanos / 1e6 / Math.max(1, total), Double::sum);
        });
        double cpuTotal = perRequest.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Result(all[total / 2] / 1e6, all[Math.min(total - 1, (int) (total * 0.99))] / 1e6,
                total / (double) seconds, cpuTotal, perRequest);
    }

    /** CPU nanoseconds one thread or process has used so far, and the group it is counted in. */
    private record CpuSample(String group, long nanos) {
    }

    /**
     * CPU used so far by this process's live threads (Java and native: ONNX Runtime's pool, GC, JIT) and by the local
     * processes named in {@code bench.processes} (group e.g. {@code postgres(processes)}), keyed by thread or process
     * id, read from {@code /proc} (Linux; clock-tick resolution, plenty for phases of seconds). Keyed by id, not summed
     * by group, so that a thread ending during a phase (the JVM adds and retires compiler threads) drops only its own
     * time instead of making its group's total shrink. Elsewhere only this process's total is given.
     */
    private static Map<String, CpuSample> cpuSamples() {
        Map<String, CpuSample> samples = new HashMap<>();
        if (!Files.isDirectory(Path.of("/proc/self/task"))) {
            samples.put("process",
                    new CpuSample("process", ((com.sun.management.OperatingSystemMXBean) ManagementFactory
                            .getOperatingSystemMXBean()).getProcessCpuTime()));
            return samples;
        }
        forEachStat(Path.of("/proc/self/task"),
                (id, name, nanos) -> samples.put("thread " + id, new CpuSample(name.replaceAll("\\d+", "#"), nanos)));
        Set<String> processes = Set.of(System.getProperty("bench.processes", "postgres").split(","));
        forEachStat(Path.of("/proc"), (id, name, nanos) -> {
            if (processes.contains(name)) {
                samples.put("process " + id, new CpuSample(name + "(processes)", nanos));
            }
        });
        return samples;
    }

    private interface StatSink {
        void accept(String id, String name, long cpuNanos);
    }

    /** Calls {@code sink} with the id, name and CPU nanoseconds of every numbered entry of {@code dir}. */
    private static void forEachStat(Path dir, StatSink sink) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, entry -> entry.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path entry : entries) {
                try {
                    // pid (comm) state ... utime stime: fields 14 and 15, i.e. 12 and 13 after the ')' closing comm
                    String stat = Files.readString(entry.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(stat.indexOf('(') + 1, close);
                    String[] fields = stat.substring(close + 2).split(" ");
                    sink.accept(entry.getFileName().toString(), name,
                            (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK);
                } catch (IOException | RuntimeException gone) {
                    // ended while being read, or not ours to read
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Nanoseconds {@code call} took. */
    public static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }
}
