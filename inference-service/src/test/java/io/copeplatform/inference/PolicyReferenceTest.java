package io.copeplatform.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.rpc.ErrorInfo;

import io.copeplatform.api.inference.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.api.inference.v1.ThresholdSource;
import io.copeplatform.inference.messaging.PolicyEventsListener;
import io.copeplatform.testkit.RegistryProcess;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.quarkus.test.junit.QuarkusTest;

/** policy_ref through a REAL policy-registry: resolution, deployment threshold, event invalidation, outage. */
@QuarkusTest
class PolicyReferenceTest {

    private static final String POLICY = RegistryRest.policy("");

    private static ManagedChannel channel;

    @Inject
    PolicyEventsListener listener;

    @BeforeAll
    static void connect() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void aLiveReferenceFollowsDeploymentsAndSurvivesARegistryOutage() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(listener::assigned);
        registry("POST", "/v1/policies?policy_id=ref-spam", "{\"draft\":{\"text\":" + json(POLICY) + "}}");
        registry("POST", "/v1/policies/ref-spam/versions", "{}");
        registry("POST", "/v1/policies/ref-spam/versions/1/deploy", "{\"threshold\":0.42}");

        ClassificationResult first = classify("policies/ref-spam@live");
        assertEquals("policies/ref-spam/versions/1", first.getPolicy().getPolicyVersion());
        assertEquals("policies/ref-spam@live", first.getPolicy().getPolicyRef());
        assertEquals(0.42, first.getThreshold());
        assertEquals(ThresholdSource.THRESHOLD_SOURCE_DEPLOYMENT, first.getThresholdSource());
        assertEquals(64, first.getPolicy().getTextSha256().length());

        long eventsBefore = listener.handled();
        registry("PATCH", "/v1/policies/ref-spam/draft", "{\"text\":" + json(POLICY + "\nRevised.\n") + "}");
        registry("POST", "/v1/policies/ref-spam/versions", "{}");
        registry("POST", "/v1/policies/ref-spam/versions/2/deploy", "{\"threshold\":0.6}");
        // The cache TTL is 60 s: only the PolicyVersionDeployed event can make this happen sooner.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(
                () -> classify("policies/ref-spam@live").getPolicy().getPolicyVersion().endsWith("/versions/2"));
        // Both events (published, deployed) are in: nothing will invalidate the entry re-read below.
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> listener.handled() >= eventsBefore + 2);
        assertEquals(0.6, classify("policies/ref-spam@live").getThreshold());

        RegistryProcess.stop();
        try {
            ClassificationResult cached = classify("policies/ref-spam@live");
            assertEquals("policies/ref-spam/versions/2", cached.getPolicy().getPolicyVersion(),
                    "cached references keep serving while the registry is down");
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> classify("policies/ref-spam/versions/1"));
            assertEquals(Status.Code.UNAVAILABLE, unknown.getStatus().getCode());
            assertEquals("REGISTRY_UNAVAILABLE", reason(unknown));
        } finally {
            RegistryProcess.restart();
        }
        // The first call after the registry is back reaches it (an unknown policy is never cached: NOT_FOUND proves
        // the round trip), although gRPC's reconnect back-off had grown over the outage: the client reconnects at
        // once when a call finds the channel failed, instead of failing calls until the next scheduled attempt.
        StatusRuntimeException roundTrip = assertThrows(StatusRuntimeException.class,
                () -> classify("policies/never-created@live"));
        assertEquals(Status.Code.NOT_FOUND, roundTrip.getStatus().getCode(), roundTrip.getStatus().toString());
        assertEquals("policies/ref-spam/versions/1",
                classify("policies/ref-spam/versions/1").getPolicy().getPolicyVersion());
    }

    @Test
    void anUnknownPolicyIsNotFoundWithTheRegistrysReason() {
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> classify("policies/never-created@live"));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertEquals("POLICY_NOT_FOUND", reason(missing));
        StatusRuntimeException malformed = assertThrows(StatusRuntimeException.class,
                () -> classify("policies/Bad Ref"));
        assertEquals(Status.Code.INVALID_ARGUMENT, malformed.getStatus().getCode());
        assertEquals("INVALID_REFERENCE", reason(malformed));
    }

    private static ClassificationResult classify(String reference) {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .classify(ClassifyRequest.newBuilder().setContent("Buy cheap watches now").setPolicyRef(reference)
                        .build())
                .getResult();
    }

    private static void registry(String method, String path, String body) {
        RegistryRest.call(method, path, body);
    }

    private static String reason(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class))
                .findFirst().map(d -> {
                    try {
                        return d.unpack(ErrorInfo.class).getReason();
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }).orElseThrow();
    }

    private static String json(String text) {
        return RegistryRest.json(text);
    }
}
