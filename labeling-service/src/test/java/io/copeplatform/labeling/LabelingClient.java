package io.copeplatform.labeling;

import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.api.labeling.v1.LabelingServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** A real gRPC client over a socket to the service under test. */
public final class LabelingClient implements AutoCloseable {

    private final ManagedChannel channel;

    /** To the @QuarkusTest application. */
    public LabelingClient() {
        this(ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class));
    }

    /** To a service on {@code port} (e.g. the packaged service in a child process). */
    public LabelingClient(int port) {
        channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    public LabelingServiceGrpc.LabelingServiceBlockingStub blocking() {
        return LabelingServiceGrpc.newBlockingStub(channel);
    }

    public LabelingServiceGrpc.LabelingServiceStub async() {
        return LabelingServiceGrpc.newStub(channel);
    }

    /** The ErrorInfo reason of a failed call. */
    public static String reason(StatusRuntimeException e) {
        Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "(no status details) " + e.getStatus();
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
            }
        }).findFirst().orElse("(no ErrorInfo)");
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
