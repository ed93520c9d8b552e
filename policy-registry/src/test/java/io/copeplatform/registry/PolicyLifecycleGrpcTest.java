package io.copeplatform.registry;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static io.copeplatform.registry.RegistryClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.policy.v1.DeletePolicyRequest;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeprecatePolicyVersionRequest;
import io.copeplatform.api.policy.v1.DiffPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ListDeploymentsRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyResponse;
import io.copeplatform.api.policy.v1.UndeployPolicyRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.registry.domain.Sha256;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PolicyLifecycleGrpcTest {

    private static RegistryClient client;

    @BeforeAll
    static void connect() {
        client = new RegistryClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void aPolicyGoesFromDraftToVersionsToLiveToRollbackToDeletion() {
        var api = client.as("alice");
        Policy created = client.create("lifecycle", GOOD_POLICY);
        assertEquals("policies/lifecycle", created.getName());
        assertTrue(created.getDraft().getHasUnpublishedChanges());
        assertEquals(0, created.getDraft().getLintReport().getErrorCount(), created.getDraft().getLintReport()
                .toString());

        PolicyVersion v1 = api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder()
                .setParent("policies/lifecycle").setChangelog("first").build()).getPolicyVersion();
        assertEquals(1, v1.getVersion());
        assertEquals("alice", v1.getAuthor());
        assertEquals(Sha256.hex(GOOD_POLICY), v1.getTextSha256());
        assertEquals("", v1.getParentVersion());

        String v2Text = GOOD_POLICY.replace("demeans a specific person", "demeans a specific, identifiable person");
        PolicyDraft draft = api.getPolicy(GetPolicyRequest.newBuilder().setName("policies/lifecycle").build())
                .getPolicy().getDraft();
        assertFalse(draft.getHasUnpublishedChanges());
        PolicyDraft updated = api.updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder().setDraft(PolicyDraft
                .newBuilder().setName("policies/lifecycle/draft").setText(v2Text).setEtag(draft.getEtag())).build())
                .getDraft();
        assertTrue(updated.getHasUnpublishedChanges());
        PolicyVersion v2 = api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder()
                .setParent("policies/lifecycle").setChangelog("clarify insult").setDraftEtag(updated.getEtag())
                .build()).getPolicyVersion();
        assertEquals(2, v2.getVersion());
        assertEquals("policies/lifecycle/versions/1", v2.getParentVersion());

        // Version 1 is immutable and still readable as published.
        PolicyVersion reread = api.getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName("policies/lifecycle/versions/1").build()).getPolicyVersion();
        assertEquals(GOOD_POLICY, reread.getText());

        var deployed = api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder()
                .setName("policies/lifecycle/versions/2").setThreshold(0.7).setNote("go live").build())
                .getDeployment();
        assertEquals("policies/lifecycle/deployments/1", deployed.getName());
        assertFalse(deployed.getRollback());

        ResolvePolicyResponse live = api.resolvePolicy(ResolvePolicyRequest.newBuilder()
                .setReference("policies/lifecycle@live").build());
        assertEquals(2, live.getVersion());
        assertEquals(v2Text, live.getText());
        assertEquals(Sha256.hex(v2Text), live.getTextSha256());
        assertEquals(0.7, live.getThreshold());
        assertTrue(live.getLive());

        var rollback = api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder()
                .setName("policies/lifecycle/versions/1").build()).getDeployment();
        assertTrue(rollback.getRollback());
        assertEquals(0.7, rollback.getThreshold(), "a rollback keeps the live threshold");
        assertEquals("policies/lifecycle/versions/2", rollback.getPreviousVersion());

        ResolvePolicyResponse latest = api.resolvePolicy(ResolvePolicyRequest.newBuilder()
                .setReference("policies/lifecycle@latest").build());
        assertEquals(2, latest.getVersion());
        assertFalse(latest.getLive());
        assertEquals(0.5, latest.getThreshold(), "a version that is not live resolves with the default threshold");
        assertEquals(1, api.resolvePolicy(ResolvePolicyRequest.newBuilder()
                .setReference("policies/lifecycle@live").build()).getVersion());

        var history = api.listDeployments(ListDeploymentsRequest.newBuilder().setParent("policies/lifecycle").build())
                .getDeploymentsList();
        assertEquals(2, history.size());
        assertEquals("policies/lifecycle/versions/1", history.get(0).getVersion(), "newest first");
        assertEquals("alice", history.get(0).getActor());

        var diff = api.diffPolicyVersions(DiffPolicyVersionsRequest.newBuilder()
                .setBase("policies/lifecycle/versions/1").setTarget("policies/lifecycle@latest").build());
        assertEquals(1, diff.getAddedLineCount());
        assertEquals(1, diff.getRemovedLineCount());
        assertTrue(diff.getUnifiedDiff().contains("+- **Insult**: a statement that demeans a specific, identifiable"),
                diff.getUnifiedDiff());

        PolicyVersion deprecated = api.deprecatePolicyVersion(DeprecatePolicyVersionRequest.newBuilder()
                .setName("policies/lifecycle/versions/2").setReason("superseded").build()).getPolicyVersion();
        assertEquals(PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED, deprecated.getState());
        var refused = assertThrows(StatusRuntimeException.class, () -> api.deployPolicyVersion(
                DeployPolicyVersionRequest.newBuilder().setName("policies/lifecycle/versions/2").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        assertEquals("VERSION_DEPRECATED", reason(refused));
        assertEquals(2, api.resolvePolicy(ResolvePolicyRequest.newBuilder()
                .setReference("policies/lifecycle/versions/2").build()).getVersion(),
                "a deprecated version stays resolvable");

        var liveRefusal = assertThrows(StatusRuntimeException.class,
                () -> api.deletePolicy(DeletePolicyRequest.newBuilder().setName("policies/lifecycle").build()));
        assertEquals("POLICY_HAS_LIVE_DEPLOYMENT", reason(liveRefusal));
        api.undeployPolicy(UndeployPolicyRequest.newBuilder().setName("policies/lifecycle").build());
        api.deletePolicy(DeletePolicyRequest.newBuilder().setName("policies/lifecycle").build());
        var gone = assertThrows(StatusRuntimeException.class,
                () -> api.getPolicy(GetPolicyRequest.newBuilder().setName("policies/lifecycle").build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void theDatabaseItselfRefusesToChangeOrDeleteAPublishedVersion() throws Exception {
        client.create("immutable", GOOD_POLICY);
        client.blocking().publishPolicyVersion(
                PublishPolicyVersionRequest.newBuilder().setParent("policies/immutable").build());
        var config = ConfigProvider.getConfig();
        try (Connection db = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
                Statement statement = db.createStatement()) {
            SQLException edit = assertThrows(SQLException.class, () -> statement.executeUpdate(
                    "UPDATE registry.policy_versions SET text = 'tampered' WHERE policy_id = 'immutable'"));
            assertTrue(edit.getMessage().contains("immutable"), edit.getMessage());
            assertThrows(SQLException.class, () -> statement.executeUpdate(
                    "DELETE FROM registry.policy_versions WHERE policy_id = 'immutable'"));
        }
        assertEquals(GOOD_POLICY, client.blocking().getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName("policies/immutable/versions/1").build()).getPolicyVersion().getText());
    }

    @Test
    void versionsAreListedOldestFirstAcrossPages() {
        var api = client.blocking();
        client.create("paged", GOOD_POLICY);
        for (int i = 1; i <= 5; i++) {
            PolicyDraft draft = api.getPolicy(GetPolicyRequest.newBuilder().setName("policies/paged").build())
                    .getPolicy().getDraft();
            api.updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder().setDraft(draft.toBuilder()
                    .setText(GOOD_POLICY + "\nRevision " + i + ".\n")).build());
            api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/paged").build());
        }
        var first = api.listPolicyVersions(ListPolicyVersionsRequest.newBuilder().setParent("policies/paged")
                .setPageSize(2).build());
        assertEquals(2, first.getPolicyVersionsCount());
        assertEquals(1, first.getPolicyVersions(0).getVersion());
        var second = api.listPolicyVersions(ListPolicyVersionsRequest.newBuilder().setParent("policies/paged")
                .setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertEquals(3, second.getPolicyVersions(0).getVersion());
        var third = api.listPolicyVersions(ListPolicyVersionsRequest.newBuilder().setParent("policies/paged")
                .setPageSize(2).setPageToken(second.getNextPageToken()).build());
        assertEquals(1, third.getPolicyVersionsCount());
        assertEquals("", third.getNextPageToken());
    }
}
