package io.copeplatform.inference.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class CallDeadlinesTest {

    @Test
    void grpcTimeoutHeadersInEveryUnit() {
        assertEquals(TimeUnit.HOURS.toNanos(2), CallDeadlines.timeoutNanos("2H"));
        assertEquals(TimeUnit.MINUTES.toNanos(3), CallDeadlines.timeoutNanos("3M"));
        assertEquals(TimeUnit.SECONDS.toNanos(60), CallDeadlines.timeoutNanos("60S"));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), CallDeadlines.timeoutNanos("250m"));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(99999999), CallDeadlines.timeoutNanos("99999999u"));
        assertEquals(7, CallDeadlines.timeoutNanos("7n"));
    }

    @Test
    void anAbsentOrMalformedHeaderMeansNoDeadline() {
        assertEquals(-1, CallDeadlines.timeoutNanos(null));
        assertEquals(-1, CallDeadlines.timeoutNanos(""));
        assertEquals(-1, CallDeadlines.timeoutNanos("S"));
        assertEquals(-1, CallDeadlines.timeoutNanos("10"));
        assertEquals(-1, CallDeadlines.timeoutNanos("10x"));
        assertEquals(-1, CallDeadlines.timeoutNanos("-5S"));
        assertEquals(-1, CallDeadlines.timeoutNanos("123456789S"), "at most 8 digits");
    }
}
