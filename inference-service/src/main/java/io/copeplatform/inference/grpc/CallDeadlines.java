package io.copeplatform.inference.grpc;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * The caller's deadline, so that the batcher can drop a request whose caller stopped waiting before computing it. gRPC
 * sends it as the {@code grpc-timeout} header; grpc-java's own server turns that into the call's
 * {@link Context#getDeadline()}, but the Vert.x gRPC server Quarkus serves on the shared HTTP port does not (Vert.x
 * 4.5), so this interceptor reads the header itself, at the call's arrival.
 */
@GlobalInterceptor
@ApplicationScoped
public class CallDeadlines implements ServerInterceptor {

    static final Metadata.Key<String> TIMEOUT_HEADER = Metadata.Key.of("grpc-timeout",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Long> DEADLINE = Context.key("cope-deadline-nanos");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        long timeout = timeoutNanos(headers.get(TIMEOUT_HEADER));
        if (timeout < 0) {
            return next.startCall(call, headers);
        }
        Context context = Context.current().withValue(DEADLINE, saturatedAdd(System.nanoTime(), timeout));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /**
     * The current call's deadline as a {@link System#nanoTime()} instant, {@link Long#MAX_VALUE} when it has none: the
     * earlier of the {@code grpc-timeout} header's and the call context's (a server that sets it).
     */
    static long current() {
        Long fromHeader = DEADLINE.get();
        var deadline = Context.current().getDeadline();
        long fromContext = deadline == null
                ? Long.MAX_VALUE
                : saturatedAdd(System.nanoTime(), deadline.timeRemaining(TimeUnit.NANOSECONDS));
        return Math.min(fromHeader == null ? Long.MAX_VALUE : fromHeader, fromContext);
    }

    /**
     * A {@code grpc-timeout} value (1 to 8 digits and a unit: H, M, S, m, u, n) in nanoseconds; -1 when absent or
     * malformed (then the call simply has no deadline, as if none had been sent).
     */
    static long timeoutNanos(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        String digits = value.substring(0, value.length() - 1);
        if (!digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long amount = Long.parseLong(digits);
        TimeUnit unit = switch (value.charAt(value.length() - 1)) {
            case 'H' -> TimeUnit.HOURS;
            case 'M' -> TimeUnit.MINUTES;
            case 'S' -> TimeUnit.SECONDS;
            case 'm' -> TimeUnit.MILLISECONDS;
            case 'u' -> TimeUnit.MICROSECONDS;
            case 'n' -> TimeUnit.NANOSECONDS;
            default -> null;
        };
        return unit == null ? -1 : unit.toNanos(amount);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
