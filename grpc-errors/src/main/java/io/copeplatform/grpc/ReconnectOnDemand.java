package io.copeplatform.grpc;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;

/**
 * Makes a client channel reconnect when a call finds it failed, instead of after gRPC's back-off.
 * <p>
 * After a server outage grpc-java retries the connection with exponential back-off (1 s growing to two minutes), and
 * until the next attempt every call on the channel fails at once with UNAVAILABLE: a server back after a 10-s blip
 * stays "unavailable" to its clients for tens of seconds more. Before each call, {@link #reconnectIfFailed()} checks
 * the channel: if it is in TRANSIENT_FAILURE it resets the back-off (at most once per {@link #MIN_INTERVAL_NANOS}), so
 * the channel tries to connect now. That call must then wait for the attempt ({@code withWaitForReady()}, bounded by
 * its deadline): the channel still reports the old failure until the attempt starts, and a call that does not wait
 * would fail on that stale state. The other calls meanwhile fail fast as usual.
 */
public final class ReconnectOnDemand {

    /** Least time between two forced reconnects while the server stays down. */
    public static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ManagedChannel channel;
    private final AtomicLong lastReconnect = new AtomicLong(System.nanoTime() - MIN_INTERVAL_NANOS);

    /**
     * @param channel
     *            the client's channel; one that is not a {@link ManagedChannel} is left to gRPC's own back-off
     */
    public ReconnectOnDemand(Channel channel) {
        this.channel = channel instanceof ManagedChannel managed ? managed : null;
    }

    /**
     * Starts a reconnect now if the channel is failed and none was started in the last 250 ms; returns whether it did,
     * in which case the caller makes its call {@code withWaitForReady()}.
     */
    public boolean reconnectIfFailed() {
        if (channel == null || channel.getState(false) != ConnectivityState.TRANSIENT_FAILURE) {
            return false;
        }
        long last = lastReconnect.get();
        long now = System.nanoTime();
        if (now - last < MIN_INTERVAL_NANOS || !lastReconnect.compareAndSet(last, now)) {
            return false;
        }
        channel.resetConnectBackoff();
        return true;
    }
}
