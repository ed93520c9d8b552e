package io.copeplatform.testkit.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Seeds the example policies (policy-registry/src/main/resources/examples) into a fresh local registry through its REST
 * API: create, publish version 1, deploy it live. Policies that already exist are left alone, so restarts never
 * overwrite local edits.
 */
final class ExamplePolicies {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExamplePolicies() {
    }

    /** The ids of the policies created now (empty when all existed). */
    static List<String> seed(String registryUrl, Path examplesDir) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        List<String> created = new ArrayList<>();
        for (JsonNode example : JSON.readTree(examplesDir.resolve("index.json").toFile())) {
            String id = example.get("id").asText();
            ObjectNode policy = JSON.createObjectNode();
            policy.put("displayName", example.path("displayName").asText(id));
            policy.put("description", example.path("description").asText(""));
            policy.set("tags", example.path("tags"));
            policy.putObject("draft").put("text", Files.readString(examplesDir.resolve(example.get("file").asText())))
                    .put("note", "Example policy seeded by the local launcher");
            HttpResponse<String> create = post(http, registryUrl + "/v1/policies?policy_id=" + id, policy.toString());
            if (create.statusCode() == 409) {
                continue;
            }
            require(create, "create " + id);
            require(post(http, registryUrl + "/v1/policies/" + id + "/versions",
                    "{\"changelog\":\"Example policy, version 1\"}"), "publish " + id);
            require(post(http, registryUrl + "/v1/policies/" + id + "/versions/1/deploy",
                    "{\"note\":\"Seeded by the local launcher\"}"), "deploy " + id);
            created.add(id);
        }
        return created;
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-Cope-Actor", "local-launcher")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void require(HttpResponse<String> response, String what) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Could not " + what + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
    }
}
