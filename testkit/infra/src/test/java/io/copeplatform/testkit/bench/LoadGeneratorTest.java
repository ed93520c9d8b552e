package io.copeplatform.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * 1 ms of this thread's CPU time per call (not of wall time: on a loaded machine a wall-clock spin is descheduled
     * part of the time and costs less CPU than it lasts), so the accounting has a known amount to find.
     */
    private static long spin(int ignored) {
        return LoadGenerator.timed(() -> {
            long end = THREADS.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(1);
            while (THREADS.getCurrentThreadCpuTime() < end) {
                Thread.onSpinWait();
            }
        });
    }

    @Test
    void measuresLatencyThroughputAndTheCpuEachRequestCostByThreadGroup() throws InterruptedException {
        LoadGenerator.Result result = LoadGenerator.run(2, 1, LoadGeneratorTest::spin);

        assertTrue(result.p50() >= 1.0 && result.p99() >= result.p50(), "latency in ms: " + result);
        // At most two calls per ms; at least a few dozen a second even when other processes hold both cores.
        assertTrue(result.rps() > 20 && result.rps() < 2_100, "two clients of 1 ms CPU each: " + result.rps());
        // Clock ticks are 10 ms; over ~1,000+ calls the per-call CPU of the clients is close to the spin time.
        double clients = result.cpuMsPerRequest("bench-client-#");
        assertTrue(clients > 0.5 && clients < 1.5, "bench clients' CPU per request: " + result.cpuBreakdown());
        assertTrue(result.cpuMsPerRequest() >= clients);
    }

    @Test
    void warmUpStopsOnceTheJitIsQuiet() throws InterruptedException {
        // A spin loop has next to nothing to compile: the first 2-s round is (nearly always) quiet already; the
        // bound says it never runs on to the limit.
        int seconds = LoadGenerator.warmUp(1, 10, LoadGeneratorTest::spin);
        assertTrue(seconds >= 2 && seconds < 10 && seconds % 2 == 0, "rounds of 2 s: " + seconds);
    }
}
