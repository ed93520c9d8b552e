package io.copeplatform.registry;

import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.ConfigProvider;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PublishGate;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;

/** A real gRPC client over a socket to the service under test, plus helpers tests share. */
public final class RegistryClient implements AutoCloseable {

    public static final String GOOD_POLICY = """
            # Test Policy

            ## Overview
            This policy identifies content that insults a person.

            ## Definition of Terms
            - **Insult**: a statement that demeans a specific person.

            ## Interpretation of Language
            Read statements literally; quoted speech counts as the speaker's own words.

            ## Definition of Labels

            ### (IN1): Direct insults
            #### Includes
            - An **Insult** aimed at a named person.
            #### Excludes
            - Criticism of an idea without reference to a person.
            """;

    private final ManagedChannel channel;

    public RegistryClient() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    public PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub blocking() {
        return PolicyRegistryServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub as(String actor) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER), actor);
        return blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public PolicyRegistryServiceGrpc.PolicyRegistryServiceFutureStub future() {
        return PolicyRegistryServiceGrpc.newFutureStub(channel);
    }

    /** Creates a policy with {@link #GOOD_POLICY} (or {@code text}) and no gate. */
    public Policy create(String id, String text) {
        return blocking().createPolicy(CreatePolicyRequest.newBuilder().setPolicyId(id)
                .setPolicy(Policy.newBuilder().setDisplayName("Policy " + id).addTags("test")
                        .setDraft(PolicyDraft.newBuilder().setText(text))
                        .setPublishGate(PublishGate.getDefaultInstance()))
                .build()).getPolicy();
    }

    /** The ErrorInfo reason of a failed call. */
    public static String reason(StatusRuntimeException e) {
        Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "<no status details: " + e.getStatus() + ">";
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
            }
        }).orElse("<no ErrorInfo>");
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
