package io.copeplatform.review;

import static io.copeplatform.review.ReviewClient.claim;
import static io.copeplatform.review.ReviewClient.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.copeplatform.api.review.v1.ReviewServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The {@code oidc} profile against a local OpenID Connect provider ({@link OidcProviderTestResource}): bearer tokens
 * with Keycloak-style {@code realm_access.roles} are the gRPC caller, and the console sends browsers to the provider's
 * login (authorization code flow) instead of the built-in form.
 */
@QuarkusTest
@TestProfile(OidcCallerTest.OidcProfile.class)
class OidcCallerTest {

    /** Profiles test + oidc, with the local provider. */
    public static class OidcProfile implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,oidc";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("review.auth.trust-caller-metadata", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OidcProviderTestResource.class));
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
    void aBearerTokenNamesTheCallerAndItsRealmRolesTheRole() {
        String job = "oidc-" + UUID.randomUUID();
        client.createTasksAs(job, 1, 1, bearer(token("lena", "lead")));
        assertEquals("kim", claim(bearer(token("kim", "reviewer")), job).getLease().getReviewer());
        bearer(token("lena", "lead")).listAuditEvents(ListAuditEventsRequest.getDefaultInstance());
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> bearer(token("kim", "reviewer")).listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
        assertEquals("ROLE_REQUIRED", reason(denied));
    }

    @Test
    void aTokenSignedByAnotherKeyIsUnauthenticated() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String forged = sign(claims("kim", "admin"), generator.generateKeyPair().getPrivate());
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> bearer(forged).listAuditEvents(ListAuditEventsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
    }

    @Test
    void theConsoleSendsBrowsersToTheProvidersLogin() {
        HttpResponse<String> answer = new ConsoleClient().page("/console");
        assertEquals(302, answer.statusCode());
        String location = answer.headers().firstValue("location").orElse("");
        assertTrue(location.startsWith(issuer() + "/protocol/openid-connect/auth?"), location);
        assertTrue(location.contains("client_id=review-console"), location);
    }

    private static ReviewServiceGrpc.ReviewServiceBlockingStub bearer(String token) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return client.stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static String issuer() {
        return ConfigProvider.getConfig().getValue("cope.test.oidc.issuer", String.class);
    }

    private static JwtClaims claims(String user, String role) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer());
        claims.setSubject(UUID.randomUUID().toString());
        claims.setClaim("preferred_username", user);
        claims.setClaim("realm_access", Map.of("roles", List.of(role)));
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        return claims;
    }

    private static String token(String user, String role) {
        try {
            byte[] der = Base64.getDecoder()
                    .decode(ConfigProvider.getConfig().getValue("cope.test.oidc.private-key", String.class));
            PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            return sign(claims(user, role), key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sign(JwtClaims claims, PrivateKey key) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setPayload(claims.toJson());
            jws.setKey(key);
            jws.setKeyIdHeaderValue(OidcProviderTestResource.KEY_ID);
            jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
            return jws.getCompactSerialization();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
