package io.copeplatform.registry;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static io.copeplatform.registry.RegistryClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.protobuf.FieldMask;

import io.copeplatform.api.policy.v1.ConfidenceInterval;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeterminismScore;
import io.copeplatform.api.policy.v1.EvaluationScore;
import io.copeplatform.api.policy.v1.GetPolicyVersionRequest;
import io.copeplatform.api.policy.v1.LintPolicyRequest;
import io.copeplatform.api.policy.v1.LintSeverity;
import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.policy.v1.PublishGate;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.RecordPolicyVersionMetricsRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PolicyQualityGrpcTest {

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
    void recordedMetricsShowOnTheVersionAndFeedTheDeployGate() {
        var api = client.blocking();
        Policy policy = client.create("gated", GOOD_POLICY);
        api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/gated").build());
        api.updatePolicy(UpdatePolicyRequest.newBuilder()
                .setPolicy(Policy.newBuilder().setName("policies/gated").setEtag(policy.getEtag())
                        .setPublishGate(PublishGate.newBuilder().setMinDeterminismAgreement(0.9)
                                .setMinDeterminismKappa(0.8)))
                .setUpdateMask(FieldMask.newBuilder().addPaths("publish_gate")).build());

        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> api.deployPolicyVersion(
                DeployPolicyVersionRequest.newBuilder().setName("policies/gated/versions/1").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, missing.getStatus().getCode());
        assertEquals("DETERMINISM_SCORE_MISSING", reason(missing));

        record(api, 0.93, 0.71);
        StatusRuntimeException low = assertThrows(StatusRuntimeException.class, () -> api.deployPolicyVersion(
                DeployPolicyVersionRequest.newBuilder().setName("policies/gated/versions/1").build()));
        assertEquals("DETERMINISM_BELOW_MINIMUM", reason(low));

        PolicyVersion scored = record(api, 0.97, 0.88);
        assertEquals(0.97, scored.getMetrics().getDeterminism().getPercentAgreement());
        assertEquals(0.88, scored.getMetrics().getDeterminism().getCohensKappa());
        assertEquals(0.80, scored.getMetrics().getDeterminism().getCohensKappaCi().getLower());
        api.recordPolicyVersionMetrics(RecordPolicyVersionMetricsRequest.newBuilder()
                .setName("policies/gated/versions/1")
                .setEvaluation(EvaluationScore.newBuilder().setPrecision(0.9).setRecall(0.8).setF1(0.847)
                        .setAccuracy(0.88).setModel("cope-tiny-test-gemma2").setThreshold(0.5).setSampleSize(200))
                .build());
        api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder().setName("policies/gated/versions/1").build());

        PolicyVersion read = api.getPolicyVersion(GetPolicyVersionRequest.newBuilder()
                .setName("policies/gated/versions/1").build()).getPolicyVersion();
        assertTrue(read.getLive());
        assertEquals(0.97, read.getMetrics().getDeterminism().getPercentAgreement(), "the newest score wins");
        assertEquals(1, read.getMetrics().getEvaluationsCount());
        assertEquals(0.847, read.getMetrics().getEvaluations(0).getF1());
        PolicyVersion listed = api.listPolicyVersions(ListPolicyVersionsRequest.newBuilder()
                .setParent("policies/gated").build()).getPolicyVersions(0);
        assertEquals(read.getMetrics(), listed.getMetrics(), "List shows the same metrics as Get");

        StatusRuntimeException invalid = assertThrows(StatusRuntimeException.class,
                () -> api.recordPolicyVersionMetrics(RecordPolicyVersionMetricsRequest.newBuilder()
                        .setName("policies/gated/versions/1")
                        .setDeterminism(DeterminismScore.newBuilder().setPercentAgreement(1.5)).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
    }

    @Test
    void listingFiltersByTagAndShowsTheLiveDeployment() {
        var api = client.blocking();
        client.create("listed-a", GOOD_POLICY);
        Policy b = client.create("listed-b", GOOD_POLICY);
        api.updatePolicy(UpdatePolicyRequest.newBuilder()
                .setPolicy(Policy.newBuilder().setName("policies/listed-b").setEtag(b.getEtag())
                        .addTags("special").setDisplayName("Listed B"))
                .setUpdateMask(FieldMask.newBuilder().addPaths("tags").addPaths("display_name")).build());
        api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/listed-b").build());
        api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder().setName("policies/listed-b/versions/1")
                .setThreshold(0.4).build());

        var special = api.listPolicies(ListPoliciesRequest.newBuilder().setTag("special").build()).getPoliciesList();
        assertEquals(1, special.size());
        assertEquals("Listed B", special.get(0).getDisplayName());
        assertEquals("policies/listed-b/versions/1", special.get(0).getLiveDeployment().getVersion());
        assertEquals(0.4, special.get(0).getLiveDeployment().getThreshold());
        assertFalse(special.get(0).hasDraft(), "lists default to the BASIC view");

        StatusRuntimeException stale = assertThrows(StatusRuntimeException.class, () -> api.updatePolicy(
                UpdatePolicyRequest.newBuilder().setPolicy(Policy.newBuilder().setName("policies/listed-b")
                        .setEtag(b.getEtag()).setDisplayName("Again"))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("display_name")).build()));
        assertEquals("ETAG_MISMATCH", reason(stale));
    }

    @Test
    void lintReportsFindingsWithRuleIdsSeveritiesAndSpans() {
        var report = client.blocking().lintPolicy(LintPolicyRequest.newBuilder()
                .setText(GOOD_POLICY.replace("a statement that demeans", "a statement generally intended to demean"))
                .build()).getReport();
        var hedge = report.getFindingsList().stream().filter(f -> f.getRuleId().equals("hedge-wording")).findFirst()
                .orElseThrow(() -> new AssertionError(report.toString()));
        assertEquals(LintSeverity.LINT_SEVERITY_WARNING, hedge.getSeverity());
        assertEquals(7, hedge.getSpan().getStartLine());
        assertTrue(report.getFindingsList().stream().anyMatch(f -> f.getRuleId().equals("intent-wording")));
        assertEquals(0, report.getErrorCount());
        assertTrue(report.getEstimatedTokenCount() > 50);
        assertEquals(8192 - 64 - 1024, report.getTokenBudget());
    }

    private static PolicyVersion record(
            PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub api,
            double agreement, double kappa) {
        return api.recordPolicyVersionMetrics(RecordPolicyVersionMetricsRequest.newBuilder()
                .setName("policies/gated/versions/1")
                .setDeterminism(DeterminismScore.newBuilder().setPercentAgreement(agreement).setCohensKappa(kappa)
                        .setCohensKappaCi(ConfidenceInterval.newBuilder().setLower(0.80).setUpper(0.95)
                                .setConfidenceLevel(0.95))
                        .setSampleSize(400).setJob("binocularJobs/j1").setLabeler("fake-llm"))
                .build()).getPolicyVersion();
    }
}
