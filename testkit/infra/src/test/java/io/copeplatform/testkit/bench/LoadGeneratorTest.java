package io.copeplatform.testkit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class LoadGeneratorTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * 1 ms of this thread's CPU time per call (not of wall time: on a loaded machine a wall-clock spin is descheduled
     * part of the time and costs less CPU than it lasts), so the accounting has a known amount to find.
     */
    private static long spin(int ignored) {
        return LoadGenerator.timed(() -> burnCpu(1));
    }

    private static void burnCpu(long millis) {
        long end = THREADS.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (THREADS.getCurrentThreadCpuTime() < end) {
            Thread.onSpinWait();
        }
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
        assertTrue(result.cpuMsPerRequest() >= clients, "total below the clients' share: " + result);
    }

    @Test
    void aThreadEndingDuringTheRunDropsOnlyItsOwnTimeNotItsGroupsTotal() throws InterruptedException {
        // The JVM retires compiler threads at any time while others of their group live on; the group's total must not
        // shrink into a negative cost (it did when the accounting summed by group name before subtracting).
        CountDownLatch leave = new CountDownLatch(1);
        CountDownLatch stay = new CountDownLatch(1);
        Thread leaving = worker("group-member-1", leave);
        Thread staying = worker("group-member-2", stay);
        Thread.sleep(300); // both have spun their 50 ms before the run's first snapshot
        LoadGenerator.Result result = LoadGenerator.run(1, 1, client -> {
            leave.countDown();
            return spin(client);
        });
        stay.countDown();
        leaving.join();
        staying.join();

        assertTrue(result.cpuMsByGroup().values().stream().allMatch(ms -> ms >= 0), result.cpuBreakdown());
        assertEquals(0.0, result.cpuMsPerRequest("group-member-#"), "the member still alive was idle");
        assertTrue(result.cpuMsPerRequest() >= result.cpuMsPerRequest("bench-client-#"));
    }

    private static Thread worker(String name, CountDownLatch until) {
        Thread thread = new Thread(() -> {
            burnCpu(50); // several of /proc's 10-ms ticks
            awaitQuietly(until);
        }, name);
        thread.start();
        return thread;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void warmUpStopsOnceTheJitIsQuiet() throws InterruptedException {
        // A spin loop has next to nothing to compile: the first 2-s round is (nearly always) quiet already; the
        // bound says it never runs on to the limit.
        int seconds = LoadGenerator.warmUp(1, 10, LoadGeneratorTest::spin);
        assertTrue(seconds >= 2 && seconds < 10 && seconds % 2 == 0, "rounds of 2 s: " + seconds);
    }
}
