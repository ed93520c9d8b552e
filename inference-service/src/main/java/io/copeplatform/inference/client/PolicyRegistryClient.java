package io.copeplatform.inference.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;

import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPoliciesResponse;
import io.copeplatform.api.policy.v1.MutinyPolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.ResolvedPolicy;
import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Outbound adapter to policy-registry (ResolvePolicy, and ListPolicies for the live ones): maps the API message to
 * {@link ResolvedPolicy} and the registry's errors to this service's: the registry's NOT_FOUND / INVALID_ARGUMENT
 * reasons pass through; anything that means "could not ask" becomes {@link RegistryUnavailableException} (the cache may
 * then serve stale).
 */
@ApplicationScoped
public class PolicyRegistryClient {

    /** Least time between two forced reconnects while the registry stays down. */
    private static final long RECONNECT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry;
    private final ManagedChannel channel;
    private final InferenceConfig config;
    private final AtomicLong lastReconnect = new AtomicLong(System.nanoTime() - RECONNECT_INTERVAL_NANOS);

    public PolicyRegistryClient(
            @GrpcClient("policy-registry") MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry,
            @GrpcClient("policy-registry") Channel channel, InferenceConfig config) {
        this.registry = registry;
        this.channel = channel instanceof ManagedChannel managed ? managed : null;
        this.config = config;
    }

    public Uni<ResolvedPolicy> resolve(String reference) {
        return Uni.createFrom().deferred(() -> call()
                .resolvePolicy(ResolvePolicyRequest.newBuilder().setReference(reference).build()))
                .map(r -> new ResolvedPolicy(reference, r.getPolicyVersion(), r.getText(), r.getTextSha256(),
                        r.getThreshold(), r.getLive(),
                        r.getState() == PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED))
                .onFailure().transform(failure -> translate(reference, failure));
    }

    /** Names ({@code policies/{policy}}) of every policy that has a live deployment, all pages. */
    public Uni<List<String>> livePolicies() {
        return Multi.createBy().repeating()
                .uni(() -> new String[]{""}, token -> Uni.createFrom().deferred(() -> call()
                        .listPolicies(ListPoliciesRequest.newBuilder().setPageSize(500).setPageToken(token[0])
                                .build()))
                        .invoke(page -> token[0] = page.getNextPageToken()))
                .whilst(page -> !page.getNextPageToken().isEmpty())
                .onItem().transformToIterable(ListPoliciesResponse::getPoliciesList)
                .filter(Policy::hasLiveDeployment)
                .map(Policy::getName)
                .collect().asList()
                .onFailure().transform(failure -> translate("policies", failure));
    }

    /**
     * After a registry outage gRPC retries the connection with exponential back-off (up to two minutes), and until the
     * next attempt every call fails at once: a registry back after a 10-s blip would stay "unavailable" to this service
     * for tens of seconds more. A call that finds the channel failed makes it reconnect now instead (at most every 250
     * ms) and waits for that attempt within its deadline; the other calls meanwhile fail fast as before. Returns the
     * stub for one call, with the configured deadline.
     */
    private MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub call() {
        var stub = registry.withDeadlineAfter(config.registry().timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (channel != null && channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            long last = lastReconnect.get();
            long now = System.nanoTime();
            if (now - last >= RECONNECT_INTERVAL_NANOS && lastReconnect.compareAndSet(last, now)) {
                channel.resetConnectBackoff();
                // The channel reports the old failure until the attempt starts: without waiting for it, this call
                // would fail on that stale state.
                return stub.withWaitForReady();
            }
        }
        return stub;
    }

    private static Throwable translate(String reference, Throwable failure) {
        if (failure instanceof StatusRuntimeException status) {
            Status.Code code = status.getStatus().getCode();
            String reason = reason(status);
            if (code == Status.Code.NOT_FOUND) {
                return new InferenceError(InferenceError.Kind.NOT_FOUND, reason.isEmpty() ? "POLICY_NOT_FOUND" : reason,
                        "policy-registry: " + status.getStatus().getDescription(), Map.of("policy_ref", reference),
                        List.of());
            }
            if (code == Status.Code.INVALID_ARGUMENT) {
                return InferenceError.invalid("INVALID_REFERENCE", "policy_ref",
                        "policy-registry refused '" + reference + "': " + status.getStatus().getDescription());
            }
        }
        return new RegistryUnavailableException(reference, failure);
    }

    private static String reason(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "";
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                return "";
            }
        }).orElse("");
    }
}
