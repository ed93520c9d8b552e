package io.copeplatform.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.inference.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.api.inference.v1.GetModelInfoRequest;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.api.inference.v1.ModelInfo;
import io.copeplatform.inference.engine.PrefixCache;
import io.copeplatform.inference.messaging.PolicyEventsListener;
import io.copeplatform.inference.service.LivePrefixPins;
import io.copeplatform.inference.service.ModelHost;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Live policy versions are pinned in the prefix cache — at start-up, and on each PolicyVersionDeployed event through a
 * REAL registry and Kafka — so their first request is already served from the cache; the replaced version is unpinned.
 */
@QuarkusTest
class PrefixPinningTest {

    /** Deployed by {@link RegistryTestResource} before this service starts. */
    static final String LIVE_AT_STARTUP = "pinned-at-startup";

    private static ManagedChannel channel;

    @Inject
    LivePrefixPins pins;
    @Inject
    PolicyEventsListener listener;
    @Inject
    ModelHost host;

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
    void aVersionLiveAtStartUpIsPinnedAndItsFirstRequestUsesTheCache() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pins.pinned().containsKey(LIVE_AT_STARTUP));
        // Retried only while the registry cannot be reached (its channel may still be reconnecting after another
        // test's outage); a failed attempt never reaches the engine, so the first answer is the first request.
        ClassificationResult first = Awaitility.await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> classify("policies/" + LIVE_AT_STARTUP + "@live"), result -> result != null);
        assertTrue(first.getPrefixCacheHit());
        assertTrue(first.getTokenCounts().getComputedTokens() < first.getTokenCounts().getPromptTokens()
                - first.getTokenCounts().getPolicyTokens());

        ModelInfo info = InferenceServiceGrpc.newBlockingStub(channel)
                .getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModelInfo();
        assertTrue(info.getKvCacheSupported());
        assertTrue(info.getPrefixCacheEnabled());
        assertEquals(512L << 20, info.getPrefixCache().getBudgetBytes(), "default inference.prefix-cache.max-bytes");
        assertTrue(info.getPrefixCache().getPinnedEntryCount() >= 1);
        assertTrue(info.getPrefixCache().getUsedBytes() > 0);
        assertFalse(info.getPrefixCache().getDeviceResident());
    }

    @Test
    void aDeploymentPinsTheNewVersionBeforeItsFirstRequestAndUnpinsTheOneItReplaced() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(listener::assigned);
        PrefixCache cache = host.engine().prefixCache().orElseThrow();
        RegistryRest.call("POST", "/v1/policies?policy_id=pin-spam",
                "{\"draft\":{\"text\":" + RegistryRest.json(RegistryRest.policy("")) + "}}");
        RegistryRest.call("POST", "/v1/policies/pin-spam/versions", "{}");
        RegistryRest.call("POST", "/v1/policies/pin-spam/versions/1/deploy", "{}");
        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> pins.pinned().containsKey("pin-spam"));
        PrefixCache.Key first = pins.pinned().get("pin-spam");
        assertTrue(cache.isPinned(first));
        ClassificationResult v1 = classify("policies/pin-spam@live");
        assertEquals("policies/pin-spam/versions/1", v1.getPolicy().getPolicyVersion());
        assertTrue(v1.getPrefixCacheHit(), "the first request of a deployed version finds it pinned");

        RegistryRest.call("PATCH", "/v1/policies/pin-spam/draft",
                "{\"text\":" + RegistryRest.json(RegistryRest.policy("Revised.\n")) + "}");
        RegistryRest.call("POST", "/v1/policies/pin-spam/versions", "{}");
        RegistryRest.call("POST", "/v1/policies/pin-spam/versions/2/deploy", "{}");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !first.equals(pins.pinned().get("pin-spam")));
        PrefixCache.Key second = pins.pinned().get("pin-spam");
        assertNotEquals(first.policySha256(), second.policySha256());
        assertTrue(cache.isPinned(second));
        assertFalse(cache.isPinned(first), "the replaced version is no longer pinned");
        ClassificationResult v2 = classify("policies/pin-spam@live");
        assertEquals("policies/pin-spam/versions/2", v2.getPolicy().getPolicyVersion());
        assertTrue(v2.getPrefixCacheHit());
        assertEquals(second.policySha256(), v2.getPolicy().getTextSha256(), "the pinned prefix is the live text's");

        RegistryRest.call("POST", "/v1/policies/pin-spam/undeploy", "{}");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !pins.pinned().containsKey("pin-spam"));
        assertFalse(cache.isPinned(second));
    }

    private static ClassificationResult classify(String reference) {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .classify(ClassifyRequest.newBuilder().setContent("Buy cheap watches now").setPolicyRef(reference)
                        .build())
                .getResult();
    }
}
