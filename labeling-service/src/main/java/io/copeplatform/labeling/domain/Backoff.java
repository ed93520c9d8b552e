package io.copeplatform.labeling.domain;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: before retry n (1-based) wait a random time in [0, min(max, initial *
 * 2^(n-1))], unless the server said how long (Retry-After), which is honoured up to {@code max}.
 */
public record Backoff(Duration initial, Duration max) {

    public Duration delay(int retry, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(max) > 0 ? max : retryAfter;
        }
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(20, retry - 1));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
