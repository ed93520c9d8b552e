package io.copeplatform.labeling.domain;

/**
 * A token-bucket rate limit: {@code ratePerSecond} permits per second with a burst of {@code max(1, rate)}.
 * {@link #acquire()} blocks until a permit is available. Rate 0 means unlimited.
 */
public final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long lastRefill;

    public TokenBucket(double ratePerSecond) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.capacity = Math.max(1.0, ratePerSecond);
        this.tokens = capacity;
        this.lastRefill = System.nanoTime();
    }

    public void acquire() throws InterruptedException {
        if (ratePerNano <= 0) {
            return;
        }
        while (true) {
            long waitNanos;
            synchronized (this) {
                long now = System.nanoTime();
                tokens = Math.min(capacity, tokens + (now - lastRefill) * ratePerNano);
                lastRefill = now;
                if (tokens >= 1.0) {
                    tokens -= 1.0;
                    return;
                }
                waitNanos = (long) Math.ceil((1.0 - tokens) / ratePerNano);
            }
            Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
        }
    }
}
