package io.copeplatform.registry.rest;

import java.util.Arrays;
import java.util.function.Supplier;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;

import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.DeletePolicyRequest;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeprecatePolicyVersionRequest;
import io.copeplatform.api.policy.v1.DiffPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.api.policy.v1.LintPolicyRequest;
import io.copeplatform.api.policy.v1.ListDeploymentsRequest;
import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyVersionView;
import io.copeplatform.api.policy.v1.PolicyView;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.RecordPolicyVersionMetricsRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.UndeployPolicyRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyRequest;
import io.copeplatform.registry.grpc.Actors;
import io.copeplatform.registry.grpc.PolicyRegistryGrpcService;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/**
 * REST/JSON twin of the gRPC API: the same operations, the same messages in proto3 JSON, the same errors (as
 * application/problem+json, see {@link ProblemMapper}). Each endpoint builds the gRPC request and delegates, so there
 * is one implementation of every operation.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "policies", description = "Versioned policies: drafts, versions, deployments, diff, lint")
public class PolicyRegistryResource {

    private static final String ACTOR = "X-Cope-Actor";

    private final PolicyRegistryGrpcService api;

    public PolicyRegistryResource(@GrpcService PolicyRegistryGrpcService api) {
        this.api = api;
    }

    @POST
    @Path("/policies")
    @Operation(summary = "Create a policy with its initial draft (body: Policy; idempotent on request_id)")
    public Uni<String> create(@QueryParam("policy_id") String policyId, @QueryParam("request_id") String requestId,
            @HeaderParam(ACTOR) String actor, String body) {
        Policy policy = ProtoJson.parse(body, Policy.newBuilder()).build();
        return json(actor, () -> api.createPolicy(CreatePolicyRequest.newBuilder().setPolicyId(nullToEmpty(policyId))
                .setPolicy(policy).setRequestId(nullToEmpty(requestId)).build()));
    }

    @GET
    @Path("/policies")
    @Operation(summary = "List policies, ordered by id")
    public Uni<String> list(@QueryParam("page_size") @DefaultValue("0") int pageSize,
            @QueryParam("page_token") String pageToken, @QueryParam("tag") String tag,
            @QueryParam("show_deleted") boolean showDeleted, @QueryParam("view") String view) {
        return json(null, () -> api.listPolicies(ListPoliciesRequest.newBuilder().setPageSize(pageSize)
                .setPageToken(nullToEmpty(pageToken)).setTag(nullToEmpty(tag)).setShowDeleted(showDeleted)
                .setView("FULL".equalsIgnoreCase(view) ? PolicyView.POLICY_VIEW_FULL : PolicyView.POLICY_VIEW_BASIC)
                .build()));
    }

    @GET
    @Path("/policies/{policy}")
    @Operation(summary = "Get a policy (view=BASIC omits the draft)")
    public Uni<String> get(@PathParam("policy") String policy, @QueryParam("view") String view) {
        return json(null, () -> api.getPolicy(GetPolicyRequest.newBuilder().setName("policies/" + policy)
                .setView("BASIC".equalsIgnoreCase(view) ? PolicyView.POLICY_VIEW_BASIC : PolicyView.POLICY_VIEW_FULL)
                .build()));
    }

    @PATCH
    @Path("/policies/{policy}")
    @Operation(summary = "Update metadata and publish gate (body: Policy with etag; update_mask=a,b)")
    public Uni<String> update(@PathParam("policy") String policy, @QueryParam("update_mask") String mask,
            @HeaderParam(ACTOR) String actor, String body) {
        Policy changes = ProtoJson.parse(body, Policy.newBuilder()).setName("policies/" + policy).build();
        FieldMask.Builder fieldMask = FieldMask.newBuilder();
        if (mask != null && !mask.isBlank()) {
            Arrays.stream(mask.split(",")).map(String::strip).forEach(fieldMask::addPaths);
        }
        return json(actor, () -> api
                .updatePolicy(UpdatePolicyRequest.newBuilder().setPolicy(changes).setUpdateMask(fieldMask).build()));
    }

    @DELETE
    @Path("/policies/{policy}")
    @Operation(summary = "Soft-delete a policy (refused while deployed)")
    public Uni<String> delete(@PathParam("policy") String policy, @QueryParam("etag") String etag,
            @HeaderParam(ACTOR) String actor) {
        return json(actor, () -> api.deletePolicy(
                DeletePolicyRequest.newBuilder().setName("policies/" + policy).setEtag(nullToEmpty(etag)).build()));
    }

    @PATCH
    @Path("/policies/{policy}/draft")
    @Operation(summary = "Replace the draft text (body: PolicyDraft with etag); lints it")
    public Uni<String> updateDraft(@PathParam("policy") String policy, @HeaderParam(ACTOR) String actor,
            String body) {
        PolicyDraft draft = ProtoJson.parse(body, PolicyDraft.newBuilder()).setName("policies/" + policy + "/draft")
                .build();
        return json(actor, () -> api.updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder().setDraft(draft).build()));
    }

    @POST
    @Path("/policies/{policy}/versions")
    @Operation(summary = "Publish the draft as the next immutable version (body: PublishPolicyVersionRequest)")
    public Uni<String> publish(@PathParam("policy") String policy, @HeaderParam(ACTOR) String actor, String body) {
        PublishPolicyVersionRequest request = ProtoJson.parse(body, PublishPolicyVersionRequest.newBuilder())
                .setParent("policies/" + policy).build();
        return json(actor, () -> api.publishPolicyVersion(request));
    }

    @GET
    @Path("/policies/{policy}/versions")
    @Operation(summary = "List versions, oldest first")
    public Uni<String> versions(@PathParam("policy") String policy,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") String pageToken,
            @QueryParam("view") String view) {
        return json(null, () -> api.listPolicyVersions(ListPolicyVersionsRequest.newBuilder()
                .setParent("policies/" + policy).setPageSize(pageSize).setPageToken(nullToEmpty(pageToken))
                .setView("FULL".equalsIgnoreCase(view)
                        ? PolicyVersionView.POLICY_VERSION_VIEW_FULL
                        : PolicyVersionView.POLICY_VERSION_VIEW_BASIC)
                .build()));
    }

    @GET
    @Path("/policies/{policy}/versions/{version}")
    @Operation(summary = "Get a version with its text, lint report and metrics")
    public Uni<String> version(@PathParam("policy") String policy, @PathParam("version") String version) {
        return json(null, () -> api.getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName("policies/" + policy + "/versions/" + version).build()));
    }

    @POST
    @Path("/policies/{policy}/versions/{version}/deploy")
    @Operation(summary = "Move the live alias to this version (rollback = deploy an older one)")
    public Uni<String> deploy(@PathParam("policy") String policy, @PathParam("version") String version,
            @HeaderParam(ACTOR) String actor, String body) {
        DeployPolicyVersionRequest request = ProtoJson.parse(body, DeployPolicyVersionRequest.newBuilder())
                .setName("policies/" + policy + "/versions/" + version).build();
        return json(actor, () -> api.deployPolicyVersion(request));
    }

    @POST
    @Path("/policies/{policy}/versions/{version}/deprecate")
    @Operation(summary = "Deprecate a version (still resolvable, no longer deployable)")
    public Uni<String> deprecate(@PathParam("policy") String policy, @PathParam("version") String version,
            @HeaderParam(ACTOR) String actor, String body) {
        DeprecatePolicyVersionRequest request = ProtoJson.parse(body, DeprecatePolicyVersionRequest.newBuilder())
                .setName("policies/" + policy + "/versions/" + version).build();
        return json(actor, () -> api.deprecatePolicyVersion(request));
    }

    @POST
    @Path("/policies/{policy}/versions/{version}/metrics")
    @Operation(summary = "Record determinism and/or evaluation metrics on a version")
    public Uni<String> recordMetrics(@PathParam("policy") String policy, @PathParam("version") String version,
            String body) {
        RecordPolicyVersionMetricsRequest request = ProtoJson
                .parse(body, RecordPolicyVersionMetricsRequest.newBuilder())
                .setName("policies/" + policy + "/versions/" + version).build();
        return json(null, () -> api.recordPolicyVersionMetrics(request));
    }

    @POST
    @Path("/policies/{policy}/undeploy")
    @Operation(summary = "Clear the live alias")
    public Uni<String> undeploy(@PathParam("policy") String policy, @HeaderParam(ACTOR) String actor, String body) {
        UndeployPolicyRequest request = ProtoJson.parse(body, UndeployPolicyRequest.newBuilder())
                .setName("policies/" + policy).build();
        return json(actor, () -> api.undeployPolicy(request));
    }

    @GET
    @Path("/policies/{policy}/deployments")
    @Operation(summary = "Deployment history, newest first")
    public Uni<String> deployments(@PathParam("policy") String policy,
            @QueryParam("page_size") @DefaultValue("0") int pageSize, @QueryParam("page_token") String pageToken) {
        return json(null, () -> api.listDeployments(ListDeploymentsRequest.newBuilder().setParent("policies/" + policy)
                .setPageSize(pageSize).setPageToken(nullToEmpty(pageToken)).build()));
    }

    @GET
    @Path("/resolve")
    @Operation(summary = "Resolve policies/x/versions/N, policies/x@live or policies/x@latest")
    public Uni<String> resolve(@QueryParam("reference") String reference) {
        return json(null,
                () -> api
                        .resolvePolicy(ResolvePolicyRequest.newBuilder().setReference(nullToEmpty(reference)).build()));
    }

    @GET
    @Path("/diff")
    @Operation(summary = "Unified line diff between two versions, or a version and the draft")
    public Uni<String> diff(@QueryParam("base") String base, @QueryParam("target") String target,
            @QueryParam("context_lines") Integer contextLines) {
        DiffPolicyVersionsRequest.Builder request = DiffPolicyVersionsRequest.newBuilder().setBase(nullToEmpty(base))
                .setTarget(nullToEmpty(target));
        if (contextLines != null) {
            request.setContextLines(contextLines);
        }
        return json(null, () -> api.diffPolicyVersions(request.build()));
    }

    @POST
    @Path("/lint")
    @Operation(summary = "Lint a text or a policy's draft (body: LintPolicyRequest)")
    public Uni<String> lint(String body) {
        LintPolicyRequest request = ProtoJson.parse(body, LintPolicyRequest.newBuilder()).build();
        return json(null, () -> api.lintPolicy(request));
    }

    private static <M extends Message> Uni<String> json(String actor, Supplier<Uni<M>> call) {
        return Actors.callAs(actor, call::get).map(ProtoJson::print);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
