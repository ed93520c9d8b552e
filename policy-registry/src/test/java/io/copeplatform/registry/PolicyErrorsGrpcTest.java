package io.copeplatform.registry;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static io.copeplatform.registry.RegistryClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import com.google.rpc.BadRequest;

import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.GetPolicyRequest;
import io.copeplatform.api.policy.v1.ListPoliciesRequest;
import io.copeplatform.api.policy.v1.ListPolicyVersionsRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyVersion;
import io.copeplatform.api.policy.v1.PublishGate;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PolicyErrorsGrpcTest {

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
    void invalidInputIsRefusedWithReasonAndFieldViolation() {
        var api = client.blocking();
        StatusRuntimeException badId = expect(Status.Code.INVALID_ARGUMENT, "INVALID_POLICY_ID",
                () -> client.create("Bad_Id", GOOD_POLICY));
        BadRequest violations = StatusProto.fromThrowable(badId).getDetailsList().stream()
                .filter(d -> d.is(BadRequest.class)).findFirst().map(d -> {
                    try {
                        return d.unpack(BadRequest.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).orElseThrow();
        assertEquals("policy_id", violations.getFieldViolations(0).getField());

        expect(Status.Code.INVALID_ARGUMENT, "TEXT_EMPTY", () -> client.create("empty-text", "   "));
        expect(Status.Code.INVALID_ARGUMENT, "TEXT_TOO_LARGE",
                () -> client.create("too-large", "x".repeat(64 * 1024 + 1)));
        expect(Status.Code.INVALID_ARGUMENT, "INVALID_REFERENCE", () -> api.resolvePolicy(
                ResolvePolicyRequest.newBuilder().setReference("policies/spam@newest").build()));
        expect(Status.Code.INVALID_ARGUMENT, "INVALID_REFERENCE", () -> api.resolvePolicy(
                ResolvePolicyRequest.newBuilder().setReference("policies/spam/versions/0").build()));
        expect(Status.Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> api.listPolicies(
                ListPoliciesRequest.newBuilder().setPageToken("not-a-token").build()));
    }

    @Test
    void missingThingsAreNotFoundWithTheirOwnReasons() {
        var api = client.blocking();
        expect(Status.Code.NOT_FOUND, "POLICY_NOT_FOUND",
                () -> api.getPolicy(GetPolicyRequest.newBuilder().setName("policies/nope").build()));
        client.create("unpublished", GOOD_POLICY);
        expect(Status.Code.NOT_FOUND, "LATEST_ALIAS_NOT_SET", () -> api.resolvePolicy(
                ResolvePolicyRequest.newBuilder().setReference("policies/unpublished@latest").build()));
        expect(Status.Code.NOT_FOUND, "LIVE_ALIAS_NOT_SET", () -> api.resolvePolicy(
                ResolvePolicyRequest.newBuilder().setReference("policies/unpublished@live").build()));
        expect(Status.Code.NOT_FOUND, "POLICY_VERSION_NOT_FOUND", () -> api.resolvePolicy(
                ResolvePolicyRequest.newBuilder().setReference("policies/unpublished/versions/7").build()));
        expect(Status.Code.ALREADY_EXISTS, "POLICY_ALREADY_EXISTS", () -> client.create("unpublished", GOOD_POLICY));
    }

    @Test
    void aStaleEtagIsAborted() {
        var api = client.blocking();
        PolicyDraft draft = client.create("etag-race", GOOD_POLICY).getDraft();
        api.updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                .setDraft(draft.toBuilder().setText(GOOD_POLICY + "\nOne.\n")).build());
        expect(Status.Code.ABORTED, "ETAG_MISMATCH", () -> api.updatePolicyDraft(UpdatePolicyDraftRequest
                .newBuilder().setDraft(draft.toBuilder().setText(GOOD_POLICY + "\nTwo.\n")).build()));
    }

    @Test
    void lintErrorsBlockPublishingUnlessTheGateAllowsIt() {
        var api = client.blocking();
        client.create("unstructured", "Just one sentence, no structure at all.");
        expect(Status.Code.FAILED_PRECONDITION, "LINT_ERRORS_BLOCK_PUBLISH", () -> api.publishPolicyVersion(
                PublishPolicyVersionRequest.newBuilder().setParent("policies/unstructured").build()));

        api.createPolicy(CreatePolicyRequest.newBuilder().setPolicyId("lenient")
                .setPolicy(Policy.newBuilder().setDraft(PolicyDraft.newBuilder().setText("No structure."))
                        .setPublishGate(PublishGate.newBuilder().setAllowPublishWithLintErrors(true)))
                .build());
        assertEquals(1, api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder()
                .setParent("policies/lenient").build()).getPolicyVersion().getVersion());
        expect(Status.Code.FAILED_PRECONDITION, "NO_UNPUBLISHED_CHANGES", () -> api.publishPolicyVersion(
                PublishPolicyVersionRequest.newBuilder().setParent("policies/lenient").build()));
    }

    @Test
    void aRetriedRequestReturnsTheFirstResultAndAReusedIdIsRefused() {
        var api = client.blocking();
        CreatePolicyRequest create = CreatePolicyRequest.newBuilder().setPolicyId("idempotent").setRequestId("req-1")
                .setPolicy(Policy.newBuilder().setDraft(PolicyDraft.newBuilder().setText(GOOD_POLICY))).build();
        Policy first = api.createPolicy(create).getPolicy();
        Policy retried = api.createPolicy(create).getPolicy();
        assertEquals(first.getCreateTime(), retried.getCreateTime());

        PublishPolicyVersionRequest publish = PublishPolicyVersionRequest.newBuilder()
                .setParent("policies/idempotent").setRequestId("req-2").setChangelog("v1").build();
        PolicyVersion v1 = api.publishPolicyVersion(publish).getPolicyVersion();
        PolicyVersion again = api.publishPolicyVersion(publish).getPolicyVersion();
        assertEquals(v1.getName(), again.getName());
        assertEquals(v1.getCreateTime(), again.getCreateTime());

        expect(Status.Code.INVALID_ARGUMENT, "REQUEST_ID_REUSED",
                () -> api.publishPolicyVersion(publish.toBuilder().setChangelog("different").build()));
    }

    @Test
    void retriesOfOnePublishSentWhileItIsStillRunningAllGetItsVersion() throws Exception {
        client.create("retried", GOOD_POLICY);
        client.blocking().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                .setDraft(PolicyDraft.newBuilder().setName("policies/retried/draft").setText(GOOD_POLICY + "\nv2\n"))
                .build());
        client.blocking().publishPolicyVersion(PublishPolicyVersionRequest.newBuilder()
                .setParent("policies/retried").build());
        client.blocking().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                .setDraft(PolicyDraft.newBuilder().setName("policies/retried/draft").setText(GOOD_POLICY + "\nv3\n"))
                .build());
        // A client that timed out and retried (several times) with the same request id, all at once.
        ExecutorService clients = Executors.newFixedThreadPool(8);
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<Long>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            attempts.add(clients.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                return client.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).publishPolicyVersion(
                        PublishPolicyVersionRequest.newBuilder().setParent("policies/retried")
                                .setRequestId("publish-retried-1").build())
                        .getPolicyVersion().getVersion();
            }));
        }
        for (Future<Long> attempt : attempts) {
            assertEquals(2L, attempt.get(120, TimeUnit.SECONDS), "every attempt answers the one publish's version");
        }
        clients.shutdown();
        assertEquals(2, client.blocking().listPolicyVersions(ListPolicyVersionsRequest.newBuilder()
                .setParent("policies/retried").build()).getPolicyVersionsCount());
    }

    @Test
    void twentyConcurrentPublishesNumberVersionsWithoutGapsOrDuplicates() throws Exception {
        client.create("race", GOOD_POLICY);
        // 20 clients at once, each editing the draft and publishing it: publishes overlap with each other and with
        // edits; each either takes a draft nobody published yet (a new version) or finds it taken.
        ExecutorService clients = Executors.newFixedThreadPool(20);
        CyclicBarrier start = new CyclicBarrier(20);
        List<Future<Long>> publishes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String text = GOOD_POLICY + "\nEdit " + i + ".\n";
            publishes.add(clients.submit(() -> {
                start.await(30, TimeUnit.SECONDS);
                client.blocking().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                        .setDraft(PolicyDraft.newBuilder().setName("policies/race/draft").setText(text)).build());
                try {
                    return client.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).publishPolicyVersion(
                            PublishPolicyVersionRequest.newBuilder().setParent("policies/race").build())
                            .getPolicyVersion().getVersion();
                } catch (StatusRuntimeException e) {
                    // The only legitimate refusal: another publish already took the current draft.
                    assertEquals("NO_UNPUBLISHED_CHANGES", reason(e), e.getMessage());
                    return null;
                }
            }));
        }
        List<Long> versions = new ArrayList<>();
        for (Future<Long> publish : publishes) {
            Long version = publish.get(120, TimeUnit.SECONDS);
            if (version != null) {
                versions.add(version);
            }
        }
        clients.shutdown();

        List<Long> expected = LongStream.rangeClosed(1, versions.size()).boxed().toList();
        assertEquals(expected, versions.stream().sorted().toList(), "versions 1..N, no gap, no duplicate");
        assertEquals(versions.size(), client.blocking().listPolicyVersions(ListPolicyVersionsRequest.newBuilder()
                .setParent("policies/race").setPageSize(50).build()).getPolicyVersionsCount(),
                "every version stored is one a publish answered");
    }

    private static StatusRuntimeException expect(Status.Code code, String reason, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertEquals(reason, reason(e), e.getMessage());
        return e;
    }
}
