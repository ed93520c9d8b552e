package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.GetQueueSummaryRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The production default: gRPC callers must authenticate; x-cope-* headers alone name nobody. */
@QuarkusTest
@TestProfile(StrictCallerIdentityTest.UntrustedMetadata.class)
class StrictCallerIdentityTest {

    /** review.auth.trust-caller-metadata at its default (false). */
    public static class UntrustedMetadata implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("review.auth.trust-caller-metadata", "false");
        }
    }

    private static ReviewClient client;

    @BeforeAll
    static void connect() {
        client = new ReviewClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void aCallWithOnlyCallerHeadersIsUnauthenticated() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client.lead("lena").getQueueSummary(GetQueueSummaryRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("UNAUTHENTICATED", reason(refused));
    }

    @Test
    void aBasicAuthenticatedCallIsServed() {
        client.signedIn("ann", "ann-pw", null, null).getQueueSummary(GetQueueSummaryRequest.getDefaultInstance());
    }
}
