package io.copeplatform.inference.client;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;

import io.copeplatform.api.policy.v1.MutinyPolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.ResolvedPolicy;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;

/**
 * Outbound adapter to policy-registry's ResolvePolicy: maps the API message to {@link ResolvedPolicy} and the
 * registry's errors to this service's: the registry's NOT_FOUND / INVALID_ARGUMENT reasons pass through; anything that
 * means "could not ask" becomes {@link RegistryUnavailableException} (the cache may then serve stale).
 */
@ApplicationScoped
public class PolicyRegistryClient {

    private final MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry;
    private final InferenceConfig config;

    public PolicyRegistryClient(
            @GrpcClient("policy-registry") MutinyPolicyRegistryServiceGrpc.MutinyPolicyRegistryServiceStub registry,
            InferenceConfig config) {
        this.registry = registry;
        this.config = config;
    }

    public Uni<ResolvedPolicy> resolve(String reference) {
        return Uni.createFrom().deferred(() -> registry
                .withDeadlineAfter(config.registry().timeout().toMillis(), TimeUnit.MILLISECONDS)
                .resolvePolicy(ResolvePolicyRequest.newBuilder().setReference(reference).build()))
                .map(r -> new ResolvedPolicy(reference, r.getPolicyVersion(), r.getText(), r.getTextSha256(),
                        r.getThreshold(), r.getLive(),
                        r.getState() == PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED))
                .onFailure().transform(failure -> translate(reference, failure));
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
