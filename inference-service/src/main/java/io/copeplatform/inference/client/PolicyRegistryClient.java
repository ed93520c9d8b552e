package io.copeplatform.inference.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;

import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPoliciesResponse;
import io.copeplatform.api.policy.v1.MutinyPolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.grpc.ReconnectOnDemand;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.ResolvedPolicy;
import io.grpc.Channel;
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

    private final MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry;
    private final ReconnectOnDemand reconnect;
    private final InferenceConfig config;

    public PolicyRegistryClient(
            @GrpcClient("policy-registry") MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry,
            @GrpcClient("policy-registry") Channel channel, InferenceConfig config) {
        this.registry = registry;
        this.reconnect = new ReconnectOnDemand(channel);
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
     * The stub for one call, with the configured deadline; after a registry outage the channel reconnects as soon as a
     * call needs it (see {@link ReconnectOnDemand}), and that call waits for the attempt within its deadline.
     */
    private MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub call() {
        var stub = registry.withDeadlineAfter(config.registry().timeout().toMillis(), TimeUnit.MILLISECONDS);
        return reconnect.reconnectIfFailed() ? stub.withWaitForReady() : stub;
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
