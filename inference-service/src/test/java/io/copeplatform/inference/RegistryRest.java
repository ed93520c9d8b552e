package io.copeplatform.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.copeplatform.testkit.RegistryProcess;

/** Drives the real policy-registry (RegistryProcess) through its REST API, as an operator would. */
public final class RegistryRest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A lint-clean CoPE policy; {@code extra} makes versions differ. */
    public static String policy(String extra) {
        return """
                # Spam

                ## Overview
                This policy flags unsolicited advertising.

                ## Definition of Terms
                - **Advertising**: content that promotes a product for sale.

                ## Interpretation of Language
                Read the content literally.

                ## Definition of Labels

                ### (SP1): Unsolicited ads
                #### Includes
                - **Advertising** sent to people who did not ask for it.
                #### Excludes
                - Product questions from users.
                """ + extra;
    }

    private RegistryRest() {
    }

    /** Sends a request and requires 200. */
    static String call(String method, String path, String body) {
        HttpResponse<String> response = send(method, path, body);
        if (response.statusCode() != 200) {
            throw new AssertionError(method + " " + path + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static HttpResponse<String> send(String method, String path, String body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(RegistryProcess.get().baseUrl() + path))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Creates a policy with {@code text} as its draft, publishes version 1 and deploys it (if not done before). */
    public static void ensureLive(String policyId, String text) {
        HttpResponse<String> created = send("POST", "/v1/policies?policy_id=" + policyId,
                "{\"draft\":{\"text\":" + json(text) + "}}");
        if (created.statusCode() == 409) {
            return;
        }
        if (created.statusCode() != 200) {
            throw new AssertionError("create " + policyId + " -> " + created.statusCode() + " " + created.body());
        }
        call("POST", "/v1/policies/" + policyId + "/versions", "{}");
        call("POST", "/v1/policies/" + policyId + "/versions/1/deploy", "{}");
    }

    static String json(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
