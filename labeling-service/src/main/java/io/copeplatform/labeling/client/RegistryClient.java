package io.copeplatform.labeling.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.api.policy.v1.ConfidenceInterval;
import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.DeterminismScore;
import io.copeplatform.api.policy.v1.EvaluationScore;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.policy.v1.PolicyView;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.RecordPolicyVersionMetricsRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyResponse;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.grpc.ReconnectOnDemand;
import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.service.PolicyRegistry;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.grpc.GrpcClient;

/**
 * policy-registry over gRPC, acting as {@value #ACTOR}. Maps remote errors to labeling reasons so the service never
 * sees gRPC types.
 */
@ApplicationScoped
public class RegistryClient implements PolicyRegistry {

    static final String ACTOR = "labeling-service";
    private static final long DEADLINE_SECONDS = 30;

    private final PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub registry;
    private final ReconnectOnDemand reconnect;

    public RegistryClient(
            @GrpcClient("policy-registry") PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub registry,
            @GrpcClient("policy-registry") Channel channel) {
        this.reconnect = new ReconnectOnDemand(channel);
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER), ACTOR);
        this.registry = registry.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** The stub for one call; after a registry outage the channel reconnects as soon as a call needs it. */
    private PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub stub() {
        var stub = registry.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
        return reconnect.reconnectIfFailed() ? stub.withWaitForReady() : stub;
    }

    @Override
    public PolicySnapshot resolve(String reference) {
        try {
            if (reference.endsWith("/draft")) {
                String policy = reference.substring(0, reference.length() - "/draft".length());
                PolicyDraft draft = stub().getPolicy(GetPolicyRequest.newBuilder().setName(policy)
                        .setView(PolicyView.POLICY_VIEW_FULL).build()).getPolicy().getDraft();
                return new PolicySnapshot(policy, "", draft.getEtag(), draft.getText(), draft.getTextSha256());
            }
            ResolvePolicyResponse r = stub().resolvePolicy(ResolvePolicyRequest.newBuilder().setReference(reference)
                    .build());
            return new PolicySnapshot(r.getPolicy(), r.getPolicyVersion(), "", r.getText(), r.getTextSha256());
        } catch (StatusRuntimeException e) {
            throw map(e, reference);
        }
    }

    @Override
    public PolicySnapshot publishParaphrase(String policyId, String displayName, String text, String paraphraseOf,
            String requestId) {
        String policy = "policies/" + policyId;
        try {
            try {
                stub().createPolicy(CreatePolicyRequest.newBuilder().setPolicyId(policyId)
                        .setPolicy(Policy.newBuilder().setDisplayName(displayName)
                                .setDescription("Paraphrases of " + paraphraseOf + " for binocular labeling")
                                .addTags("paraphrase").setDraft(PolicyDraft.newBuilder().setText(text)
                                        .setNote("Paraphrase of " + paraphraseOf)))
                        .setRequestId(requestId + "-create").build());
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                    throw e;
                }
                replaceDraft(policy, text, "Paraphrase of " + paraphraseOf);
            }
            PolicyVersion version = stub().publishPolicyVersion(PublishPolicyVersionRequest.newBuilder()
                    .setParent(policy).setChangelog("Paraphrase of " + paraphraseOf + " (binocular labeling)")
                    .setParaphraseOf(paraphraseOf).setRequestId(requestId).build()).getPolicyVersion();
            return new PolicySnapshot(policy, version.getName(), "", version.getText(), version.getTextSha256());
        } catch (StatusRuntimeException e) {
            throw map(e, policy);
        }
    }

    @Override
    public String draftEtagIfText(String policy, String sha256) {
        try {
            PolicyDraft draft = draft(policy);
            return draft.getTextSha256().equals(sha256) ? draft.getEtag() : "";
        } catch (StatusRuntimeException e) {
            throw map(e, policy);
        }
    }

    @Override
    public Optional<PolicySnapshot> saveDraft(String policy, String text, String note, String expectedEtag) {
        try {
            if (!expectedEtag.isEmpty()) {
                try {
                    PolicyDraft saved = stub().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                            .setDraft(PolicyDraft.newBuilder().setName(policy + "/draft").setText(text)
                                    .setEtag(expectedEtag).setNote(note))
                            .build()).getDraft();
                    return Optional.of(snapshot(policy, saved));
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.ABORTED) {
                        throw e;
                    }
                }
            }
            // The draft moved on: ours only if it already holds exactly this text (our own write, retried).
            PolicyDraft current = draft(policy);
            return current.getText().equals(text) ? Optional.of(snapshot(policy, current)) : Optional.empty();
        } catch (StatusRuntimeException e) {
            throw map(e, policy);
        }
    }

    private PolicyDraft draft(String policy) {
        return stub().getPolicy(GetPolicyRequest.newBuilder().setName(policy).setView(PolicyView.POLICY_VIEW_FULL)
                .build()).getPolicy().getDraft();
    }

    private static PolicySnapshot snapshot(String policy, PolicyDraft draft) {
        return new PolicySnapshot(policy, "", draft.getEtag(), draft.getText(), draft.getTextSha256());
    }

    private PolicyDraft replaceDraft(String policy, String text, String note) {
        PolicyDraft current = stub().getPolicy(GetPolicyRequest.newBuilder().setName(policy)
                .setView(PolicyView.POLICY_VIEW_FULL).build()).getPolicy().getDraft();
        if (current.getText().equals(text)) {
            return current;
        }
        return stub().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder().setDraft(PolicyDraft.newBuilder()
                .setName(policy + "/draft").setText(text).setEtag(current.getEtag()).setNote(note)).build())
                .getDraft();
    }

    @Override
    public void recordDeterminism(String version, AgreementStats a, String job, int iteration,
            String paraphraseVersion, String labeler, String requestId) {
        DeterminismScore.Builder score = DeterminismScore.newBuilder().setPercentAgreement(a.percentAgreement())
                .setSampleSize(a.sampleSize()).setJob(job).setIteration(iteration)
                .setParaphraseVersion(paraphraseVersion).setLabeler(labeler);
        if (a.cohensKappa() != null) {
            score.setCohensKappa(a.cohensKappa()).setCohensKappaCi(ConfidenceInterval.newBuilder()
                    .setLower(a.kappaLower()).setUpper(a.kappaUpper()).setConfidenceLevel(0.95));
        }
        try {
            stub().recordPolicyVersionMetrics(RecordPolicyVersionMetricsRequest.newBuilder().setName(version)
                    .setDeterminism(score).setRequestId(requestId).build());
        } catch (StatusRuntimeException e) {
            throw map(e, version);
        }
    }

    @Override
    public void recordEvaluation(String version, double precision, double recall, double f1, double accuracy,
            String model, String modelVersion, double threshold, long sampleSize, String evaluation, String dataset,
            String requestId) {
        try {
            stub().recordPolicyVersionMetrics(RecordPolicyVersionMetricsRequest.newBuilder().setName(version)
                    .setEvaluation(EvaluationScore.newBuilder().setPrecision(precision).setRecall(recall).setF1(f1)
                            .setAccuracy(accuracy).setModel(model).setModelVersion(modelVersion)
                            .setThreshold(threshold).setSampleSize(sampleSize).setEvaluation(evaluation)
                            .setDataset(dataset))
                    .setRequestId(requestId).build());
        } catch (StatusRuntimeException e) {
            throw map(e, version);
        }
    }

    static LabelingException map(StatusRuntimeException e, String reference) {
        Status.Code code = e.getStatus().getCode();
        String detail = e.getStatus().getDescription();
        switch (code) {
            case NOT_FOUND :
                return new LabelingException(ErrorReason.POLICY_VERSION_NOT_FOUND, "policy-registry: " + detail,
                        Map.of("reference", reference), List.of());
            case INVALID_ARGUMENT :
                return new LabelingException(ErrorReason.INVALID_REFERENCE, "policy-registry: " + detail,
                        Map.of("reference", reference), List.of());
            case UNAVAILABLE :
            case DEADLINE_EXCEEDED :
                return new LabelingException(ErrorReason.REGISTRY_UNAVAILABLE,
                        "policy-registry unreachable: " + e.getStatus(), Map.of("reference", reference), List.of());
            default :
                // FAILED_PRECONDITION (e.g. lint errors block publishing a paraphrase), ABORTED, ...
                return new LabelingException(ErrorReason.REGISTRY_UNAVAILABLE, "policy-registry refused: "
                        + code + " " + detail, Map.of("reference", reference, "registry_code", code.name()),
                        List.of());
        }
    }
}
