package io.copeplatform.registry.grpc;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.CreatePolicyResponse;
import io.copeplatform.api.policy.v1.DeletePolicyRequest;
import io.copeplatform.api.policy.v1.DeletePolicyResponse;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeployPolicyVersionResponse;
import io.copeplatform.api.policy.v1.DeprecatePolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeprecatePolicyVersionResponse;
import io.copeplatform.api.policy.v1.DiffPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.DiffPolicyVersionsResponse;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.GetPolicyResponse;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.api.policy.v1.GetPolicyVersionResponse;
import io.copeplatform.api.policy.v1.LintPolicyRequest;
import io.copeplatform.api.policy.v1.LintPolicyResponse;
import io.copeplatform.api.policy.v1.ListDeploymentsRequest;
import io.copeplatform.api.policy.v1.ListDeploymentsResponse;
import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPoliciesResponse;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsResponse;
import io.copeplatform.api.policy.v1.PolicyRegistryService;
import io.copeplatform.api.policy.v1.PolicyVersionView;
import io.copeplatform.api.policy.v1.PolicyView;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.PublishPolicyVersionResponse;
import io.copeplatform.api.policy.v1.RecordPolicyVersionMetricsRequest;
import io.copeplatform.api.policy.v1.RecordPolicyVersionMetricsResponse;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyResponse;
import io.copeplatform.api.policy.v1.UndeployPolicyRequest;
import io.copeplatform.api.policy.v1.UndeployPolicyResponse;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftResponse;
import io.copeplatform.api.policy.v1.UpdatePolicyRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyResponse;
import io.copeplatform.registry.diff.DiffResult;
import io.copeplatform.registry.diff.UnifiedDiff;
import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.PolicyNames;
import io.copeplatform.registry.domain.PolicyReference;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.service.Commands;
import io.copeplatform.registry.service.PolicyLinting;
import io.copeplatform.registry.service.PolicyResolution;
import io.copeplatform.registry.service.PolicyService;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of {@code cope.policy.v1.PolicyRegistryService}: validates names, maps messages, maps errors. */
@GrpcService
public class PolicyRegistryGrpcService implements PolicyRegistryService {

    private static final int DEFAULT_CONTEXT_LINES = 3;

    private final PolicyService policies;
    private final PolicyResolution resolution;
    private final PolicyProtoMapper mapper;

    public PolicyRegistryGrpcService(PolicyService policies, PolicyResolution resolution, PolicyLinting linting) {
        this.policies = policies;
        this.resolution = resolution;
        this.mapper = new PolicyProtoMapper(linting);
    }

    @Override
    public Uni<CreatePolicyResponse> createPolicy(CreatePolicyRequest request) {
        String actor = Actors.current();
        return call(() -> {
            var p = request.getPolicy();
            var gate = p.hasPublishGate()
                    ? new Commands.PublishGate(p.getPublishGate().getAllowPublishWithLintErrors(),
                            p.getPublishGate().hasMinDeterminismAgreement()
                                    ? p.getPublishGate().getMinDeterminismAgreement()
                                    : null,
                            p.getPublishGate().hasMinDeterminismKappa()
                                    ? p.getPublishGate().getMinDeterminismKappa()
                                    : null)
                    : null;
            var command = new Commands.NewPolicy(request.getPolicyId(), p.getDisplayName(), p.getDescription(),
                    p.getTagsList(), p.getDraft().getText(), p.getDraft().getNote(), gate);
            return policies.create(command, request.getRequestId(), actor)
                    .map(d -> CreatePolicyResponse.newBuilder().setPolicy(mapper.policy(d, true)).build());
        });
    }

    @Override
    public Uni<GetPolicyResponse> getPolicy(GetPolicyRequest request) {
        return call(() -> policies.get(PolicyNames.policyId(request.getName(), "name"))
                .map(d -> GetPolicyResponse.newBuilder()
                        .setPolicy(mapper.policy(d, request.getView() != PolicyView.POLICY_VIEW_BASIC)).build()));
    }

    @Override
    public Uni<ListPoliciesResponse> listPolicies(ListPoliciesRequest request) {
        return call(() -> policies
                .list(request.getPageSize(), request.getPageToken(), request.getTag(), request.getShowDeleted())
                .map(page -> ListPoliciesResponse.newBuilder()
                        .addAllPolicies(page.items().stream()
                                .map(d -> mapper.policy(d, request.getView() == PolicyView.POLICY_VIEW_FULL))
                                .toList())
                        .setNextPageToken(page.nextPageToken())
                        .build()));
    }

    @Override
    public Uni<UpdatePolicyResponse> updatePolicy(UpdatePolicyRequest request) {
        return call(() -> {
            var p = request.getPolicy();
            String id = PolicyNames.policyId(p.getName(), "policy.name");
            List<String> paths = request.getUpdateMask().getPathsList();
            if (paths.isEmpty()) {
                throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "update_mask",
                        "name the fields to change: display_name, description, tags, publish_gate");
            }
            for (String path : paths) {
                if (!List.of("display_name", "description", "tags", "publish_gate").contains(path)) {
                    throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "update_mask",
                            "'" + path + "' cannot be updated here (draft text: UpdatePolicyDraft)");
                }
            }
            var gate = p.getPublishGate();
            var changes = new Commands.PolicyChanges(
                    when(paths, "display_name", p.getDisplayName()),
                    when(paths, "description", p.getDescription()),
                    when(paths, "tags", p.getTagsList()),
                    when(paths, "publish_gate", new Commands.PublishGate(gate.getAllowPublishWithLintErrors(),
                            gate.hasMinDeterminismAgreement() ? gate.getMinDeterminismAgreement() : null,
                            gate.hasMinDeterminismKappa() ? gate.getMinDeterminismKappa() : null)));
            return policies.update(id, changes, p.getEtag())
                    .map(d -> UpdatePolicyResponse.newBuilder().setPolicy(mapper.policy(d, true)).build());
        });
    }

    @Override
    public Uni<UpdatePolicyDraftResponse> updatePolicyDraft(UpdatePolicyDraftRequest request) {
        String actor = Actors.current();
        return call(() -> {
            var draft = request.getDraft();
            String id = PolicyNames.draftPolicyId(draft.getName(), "draft.name");
            return policies.updateDraft(id, draft.getText(), draft.getNote(), draft.getEtag(), actor)
                    .map(p -> UpdatePolicyDraftResponse.newBuilder().setDraft(mapper.draft(p)).build());
        });
    }

    @Override
    public Uni<DeletePolicyResponse> deletePolicy(DeletePolicyRequest request) {
        String actor = Actors.current();
        return call(() -> policies.delete(PolicyNames.policyId(request.getName(), "name"), request.getEtag(), actor)
                .map(d -> DeletePolicyResponse.newBuilder().setPolicy(mapper.policy(d, false)).build()));
    }

    @Override
    public Uni<PublishPolicyVersionResponse> publishPolicyVersion(PublishPolicyVersionRequest request) {
        String actor = Actors.current();
        return call(() -> policies
                .publish(PolicyNames.policyId(request.getParent(), "parent"), request.getChangelog(),
                        request.getDraftEtag(), request.getParaphraseOf(), request.getRequestId(), actor)
                .map(v -> PublishPolicyVersionResponse.newBuilder().setPolicyVersion(mapper.version(v, true)).build()));
    }

    @Override
    public Uni<GetPolicyVersionResponse> getPolicyVersion(GetPolicyVersionRequest request) {
        return call(() -> {
            PolicyReference.Version name = PolicyNames.versionName(request.getName(), "name");
            return policies.version(name.policyId(), name.version())
                    .map(v -> GetPolicyVersionResponse.newBuilder()
                            .setPolicyVersion(
                                    mapper.version(v, request.getView() != PolicyVersionView.POLICY_VERSION_VIEW_BASIC))
                            .build());
        });
    }

    @Override
    public Uni<ListPolicyVersionsResponse> listPolicyVersions(ListPolicyVersionsRequest request) {
        return call(() -> policies
                .versions(PolicyNames.policyId(request.getParent(), "parent"), request.getPageSize(),
                        request.getPageToken())
                .map(page -> ListPolicyVersionsResponse.newBuilder()
                        .addAllPolicyVersions(page.items().stream()
                                .map(v -> mapper.version(v,
                                        request.getView() == PolicyVersionView.POLICY_VERSION_VIEW_FULL))
                                .toList())
                        .setNextPageToken(page.nextPageToken())
                        .build()));
    }

    @Override
    public Uni<ResolvePolicyResponse> resolvePolicy(ResolvePolicyRequest request) {
        return call(() -> resolution.resolve(request.getReference()).map(mapper::resolved));
    }

    @Override
    public Uni<DiffPolicyVersionsResponse> diffPolicyVersions(DiffPolicyVersionsRequest request) {
        return call(() -> {
            PolicyReference base = PolicyNames.reference(request.getBase(), "base", true);
            PolicyReference target = PolicyNames.reference(request.getTarget(), "target", true);
            int context = request.hasContextLines() ? request.getContextLines() : DEFAULT_CONTEXT_LINES;
            if (context < 0 || context > 1000) {
                throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "context_lines",
                        "must be within [0, 1000]");
            }
            return policies.texts(base, target).map(texts -> {
                DiffResult diff = UnifiedDiff.compute(texts.base(), texts.target(), texts.baseText(),
                        texts.targetText(), context);
                return DiffPolicyVersionsResponse.newBuilder()
                        .setBase(texts.base())
                        .setTarget(texts.target())
                        .setBaseTextSha256(texts.baseSha256())
                        .setTargetTextSha256(texts.targetSha256())
                        .setUnifiedDiff(diff.unified())
                        .setAddedLineCount(diff.linesAdded())
                        .setRemovedLineCount(diff.linesRemoved())
                        .setIdentical(texts.baseSha256().equals(texts.targetSha256()))
                        .build();
            });
        });
    }

    @Override
    public Uni<LintPolicyResponse> lintPolicy(LintPolicyRequest request) {
        return call(() -> switch (request.getSourceCase()) {
            case TEXT -> Uni.createFrom().item(policies.lintText(request.getText()));
            case POLICY -> policies.get(PolicyNames.policyId(request.getPolicy(), "policy"))
                    .map(d -> policies.lintText(d.policy().draftText));
            case SOURCE_NOT_SET -> throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "source",
                    "give text or policy");
        }).map(report -> LintPolicyResponse.newBuilder().setReport(mapper.lintReport(report)).build());
    }

    @Override
    public Uni<DeployPolicyVersionResponse> deployPolicyVersion(DeployPolicyVersionRequest request) {
        String actor = Actors.current();
        return call(() -> {
            PolicyReference.Version name = PolicyNames.versionName(request.getName(), "name");
            return policies
                    .deploy(name.policyId(), name.version(), request.hasThreshold() ? request.getThreshold() : null,
                            request.getNote(), request.getRequestId(), actor)
                    .map(d -> DeployPolicyVersionResponse.newBuilder().setDeployment(mapper.deployment(d)).build());
        });
    }

    @Override
    public Uni<UndeployPolicyResponse> undeployPolicy(UndeployPolicyRequest request) {
        String actor = Actors.current();
        return call(() -> policies
                .undeploy(PolicyNames.policyId(request.getName(), "name"), request.getNote(), request.getRequestId(),
                        actor)
                .map(d -> UndeployPolicyResponse.newBuilder().setDeployment(mapper.deployment(d)).build()));
    }

    @Override
    public Uni<ListDeploymentsResponse> listDeployments(ListDeploymentsRequest request) {
        return call(() -> policies
                .deployments(PolicyNames.policyId(request.getParent(), "parent"), request.getPageSize(),
                        request.getPageToken())
                .map(page -> ListDeploymentsResponse.newBuilder()
                        .addAllDeployments(page.items().stream().map(mapper::deployment).toList())
                        .setNextPageToken(page.nextPageToken())
                        .build()));
    }

    @Override
    public Uni<DeprecatePolicyVersionResponse> deprecatePolicyVersion(DeprecatePolicyVersionRequest request) {
        String actor = Actors.current();
        return call(() -> {
            PolicyReference.Version name = PolicyNames.versionName(request.getName(), "name");
            return policies.deprecate(name.policyId(), name.version(), request.getReason(), actor)
                    .map(v -> DeprecatePolicyVersionResponse.newBuilder().setPolicyVersion(mapper.version(v, false))
                            .build());
        });
    }

    @Override
    public Uni<RecordPolicyVersionMetricsResponse> recordPolicyVersionMetrics(
            RecordPolicyVersionMetricsRequest request) {
        return call(() -> {
            PolicyReference.Version name = PolicyNames.versionName(request.getName(), "name");
            Commands.Determinism determinism = null;
            if (request.hasDeterminism()) {
                var d = request.getDeterminism();
                determinism = new Commands.Determinism(d.getPercentAgreement(),
                        d.hasCohensKappa() ? d.getCohensKappa() : null,
                        d.hasCohensKappaCi() ? d.getCohensKappaCi().getLower() : null,
                        d.hasCohensKappaCi() ? d.getCohensKappaCi().getUpper() : null,
                        d.hasCohensKappaCi() ? d.getCohensKappaCi().getConfidenceLevel() : null, d.getSampleSize(),
                        d.getJob(), d.getIteration(), d.getParaphraseVersion(), d.getLabeler());
            }
            Commands.Evaluation evaluation = null;
            if (request.hasEvaluation()) {
                var e = request.getEvaluation();
                evaluation = new Commands.Evaluation(e.getPrecision(), e.getRecall(), e.getF1(), e.getAccuracy(),
                        e.getModel(), e.getModelVersion(), e.getThreshold(), e.getSampleSize(), e.getEvaluation(),
                        e.getDataset());
            }
            return policies.recordMetrics(name.policyId(), name.version(), determinism, evaluation,
                    request.getRequestId())
                    .map(v -> RecordPolicyVersionMetricsResponse.newBuilder().setPolicyVersion(mapper.version(v, false))
                            .build());
        });
    }

    /** Runs an operation, turning synchronous validation errors and asynchronous failures into gRPC errors. */
    private static <T> Uni<T> call(Supplier<Uni<T>> operation) {
        return Uni.createFrom().deferred(() -> operation.get()).onFailure().transform(GrpcErrors::toGrpc);
    }

    private static <T> Optional<T> when(List<String> paths, String path, T value) {
        return paths.contains(path) ? Optional.of(value) : Optional.empty();
    }
}
