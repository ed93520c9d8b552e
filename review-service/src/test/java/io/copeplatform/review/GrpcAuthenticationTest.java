package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.claim;
import static io.copeplatform.review.ReviewClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

/** gRPC callers authenticated with HTTP Basic (built-in users): the identity decides, the x-cope headers cannot. */
@QuarkusTest
class GrpcAuthenticationTest {

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
    void anAuthenticatedCallerIsTheirIdentityWhateverTheHeadersSay() {
        String job = "grpc-auth-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        var ann = client.signedIn("ann", "ann-pw", "somebody-else", "admin");
        assertEquals("ann", claim(ann, job).getLease().getReviewer());
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> ann.listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        assertEquals("ROLE_REQUIRED", reason(denied));
    }

    @Test
    void leadsAndAdminsAuthenticatedByBasicReadTheAuditLog() {
        client.signedIn("lena", "lena-pw", null, null).listAuditEvents(ListAuditEventsRequest.getDefaultInstance());
        client.signedIn("adam", "adam-pw", null, null).listAuditEvents(ListAuditEventsRequest.getDefaultInstance());
    }

    @Test
    void wrongCredentialsAreUnauthenticated() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client.signedIn("ann", "wrong", "ann", "lead")
                        .listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    }

    @Test
    void anIdentityWithoutAReviewRoleIsRefused() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> client.signedIn("nobody", "nobody-pw", null, null)
                        .getQueueSummary(io.copeplatform.api.review.v1.GetQueueSummaryRequest.getDefaultInstance()));
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("ROLE_REQUIRED", reason(refused));
    }
}
