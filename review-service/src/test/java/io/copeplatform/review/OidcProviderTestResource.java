package io.copeplatform.review;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A minimal OpenID Connect provider on a free local port, for the OIDC profile's tests: discovery document and JWKS
 * (one RSA key), like Keycloak's realm endpoints. Tokens are signed by the test with the private key, handed over as a
 * config value ({@code cope.test.oidc.private-key}) because test resources and tests may not share a class loader.
 */
public class OidcProviderTestResource implements QuarkusTestResourceLifecycleManager {

    static final String KEY_ID = "cope-test-key";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        KeyPair keys;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
            server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
        String issuer = "http://localhost:" + server.getAddress().getPort() + "/realms/cope";
        RsaJsonWebKey jwk = new RsaJsonWebKey((RSAPublicKey) keys.getPublic());
        jwk.setKeyId(KEY_ID);
        jwk.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        jwk.setUse("sig");
        String jwks = "{\"keys\":[" + jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY) + "]}";
        String discovery = "{\"issuer\":\"" + issuer + "\","
                + "\"authorization_endpoint\":\"" + issuer + "/protocol/openid-connect/auth\","
                + "\"token_endpoint\":\"" + issuer + "/protocol/openid-connect/token\","
                + "\"jwks_uri\":\"" + issuer + "/protocol/openid-connect/certs\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
        server.createContext("/realms/cope/.well-known/openid-configuration", exchange -> json(exchange, discovery));
        server.createContext("/realms/cope/protocol/openid-connect/certs", exchange -> json(exchange, jwks));
        server.start();
        return Map.of("quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.client-id", "review-console",
                "quarkus.oidc.credentials.secret", "test-secret",
                "cope.test.oidc.issuer", issuer,
                "cope.test.oidc.private-key", Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded()));
    }

    private static void json(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
