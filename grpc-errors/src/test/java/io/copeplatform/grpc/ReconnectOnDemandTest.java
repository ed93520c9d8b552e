package io.copeplatform.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.grpc.CallOptions;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;

/** Real gRPC over a socket: a server goes away and comes back on the same port while a client channel waits. */
class ReconnectOnDemandTest {

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Echo/Echo")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void close() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void aCallAfterTheServerIsBackReachesItAtOnceInsteadOfAfterTheBackOff() throws Exception {
        server = echoServer(0);
        int port = server.getPort();
        channel = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        ReconnectOnDemand reconnect = new ReconnectOnDemand(channel);
        assertArrayEquals(new byte[]{1}, echo(new byte[]{1}, false));
        assertFalse(reconnect.reconnectIfFailed(), "a healthy channel is left alone");

        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        StatusRuntimeException down = assertThrows(StatusRuntimeException.class, () -> echo(new byte[]{2}, false));
        assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode());
        // If that call went out on the dying connection, the channel is IDLE (no attempt yet): ask for one, which
        // fails, as a client's next call would.
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> channel.getState(true) == ConnectivityState.TRANSIENT_FAILURE);
        // gRPC's next attempt is now its back-off away (1 s +-20% after one failure, growing with each).

        server = echoServer(port);
        assertTrue(reconnect.reconnectIfFailed(), "a failed channel reconnects now");
        long start = System.nanoTime();
        assertArrayEquals(new byte[]{3}, echo(new byte[]{3}, true));
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500),
                "answered through the reconnect it started, not gRPC's next scheduled attempt");
        assertFalse(reconnect.reconnectIfFailed(), "connected again: nothing to do");
    }

    @Test
    void whileTheServerStaysDownItReconnectsAtMostEveryQuarterSecond() throws Exception {
        server = echoServer(0);
        int port = server.getPort();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        channel = NettyChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        ReconnectOnDemand reconnect = new ReconnectOnDemand(channel);
        assertThrows(StatusRuntimeException.class, () -> echo(new byte[]{1}, false));
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE);

        assertTrue(reconnect.reconnectIfFailed());
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE);
        assertFalse(reconnect.reconnectIfFailed(), "within 250 ms of the last forced attempt");
        StatusRuntimeException waited = assertThrows(StatusRuntimeException.class, () -> echo(new byte[]{2}, true));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, waited.getStatus().getCode(),
                "a waiting call is bounded by its deadline");
    }

    private byte[] echo(byte[] request, boolean waitForReady) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS);
        return ClientCalls.blockingUnaryCall(channel, ECHO, waitForReady ? options.withWaitForReady() : options,
                request);
    }

    private static Server echoServer(int port) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("localhost", port))
                .addService(ServerServiceDefinition.builder("test.Echo")
                        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(request);
                            response.onCompleted();
                        }))
                        .build())
                .build().start();
    }
}
