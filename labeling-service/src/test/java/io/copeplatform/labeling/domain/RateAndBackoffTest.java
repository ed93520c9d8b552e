package io.copeplatform.labeling.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RateAndBackoffTest {

    @Test
    void theTokenBucketAllowsItsBurstThenPacesToTheRate() throws InterruptedException {
        TokenBucket bucket = new TokenBucket(20);
        long start = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            bucket.acquire();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // A burst of 20, then 10 more at 20/s: at least 0.5 s.
        assertTrue(seconds >= 0.45, "took " + seconds + " s");
    }

    @Test
    void anUnlimitedBucketNeverWaits() throws InterruptedException {
        TokenBucket bucket = new TokenBucket(0);
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            bucket.acquire();
        }
        assertTrue(System.nanoTime() - start < 1_000_000_000L);
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndHonoursRetryAfterUpToTheMaximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        for (int i = 0; i < 200; i++) {
            assertTrue(backoff.delay(1, null).toMillis() <= 100);
            assertTrue(backoff.delay(3, null).toMillis() <= 400);
            assertTrue(backoff.delay(30, null).toMillis() <= 2000);
        }
        assertEquals(Duration.ofSeconds(1), backoff.delay(1, Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(2), backoff.delay(1, Duration.ofSeconds(60)));
    }

    @Test
    void theBudgetNamesTheLimitReached() {
        Budget budget = new Budget(10, 1000);
        assertEquals(null, budget.exhaustedBy(new Usage(9, 500, 10, 0, 0, 0)));
        assertEquals(PauseReason.CALL_BUDGET, budget.exhaustedBy(new Usage(10, 0, 0, 0, 0, 0)));
        assertEquals(PauseReason.TOKEN_BUDGET, budget.exhaustedBy(new Usage(1, 990, 10, 0, 0, 0)));
        assertEquals(null, new Budget(0, 0).exhaustedBy(new Usage(1_000_000, 1_000_000, 0, 0, 0, 0)));
    }
}
