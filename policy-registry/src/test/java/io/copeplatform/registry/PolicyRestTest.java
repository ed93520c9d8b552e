package io.copeplatform.registry;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class PolicyRestTest {

    @Test
    void restCoversTheLifecycleWithTheSameMessagesAsGrpc() {
        String body = "{\"displayName\":\"Spam\",\"tags\":[\"rest\"],\"draft\":{\"text\":"
                + quote(RegistryClient.GOOD_POLICY) + "}}";
        given().contentType(ContentType.JSON).header("X-Cope-Actor", "carol").body(body)
                .post("/v1/policies?policy_id=rest-spam")
                .then().statusCode(200).body("policy.name", equalTo("policies/rest-spam"))
                .body("policy.creator", equalTo("carol"));

        given().contentType(ContentType.JSON).body("{\"changelog\":\"first\"}")
                .post("/v1/policies/rest-spam/versions")
                .then().statusCode(200).body("policyVersion.version", equalTo("1"));

        given().contentType(ContentType.JSON).body("{\"threshold\":0.65}")
                .post("/v1/policies/rest-spam/versions/1/deploy")
                .then().statusCode(200).body("deployment.threshold", equalTo(0.65f));

        given().get("/v1/resolve?reference=policies/rest-spam@live")
                .then().statusCode(200).body("version", equalTo("1")).body("live", equalTo(true));

        given().get("/v1/policies?tag=rest")
                .then().statusCode(200).body("policies.name", hasItem("policies/rest-spam"));

        given().contentType(ContentType.JSON).body("{\"text\":\"Be nice. Answer 1 if mean.\"}").post("/v1/lint")
                .then().statusCode(200).body("report.errorCount", org.hamcrest.Matchers.greaterThan(0));
    }

    @Test
    void errorsAreProblemJsonWithTheStableReason() {
        given().get("/v1/policies/does-not-exist")
                .then().statusCode(404).contentType("application/problem+json")
                .body("reason", equalTo("POLICY_NOT_FOUND"))
                .body("domain", equalTo("policy-registry.cope.io"));

        given().contentType(ContentType.JSON).body("{\"draft\":{\"text\":\"x\"}}")
                .post("/v1/policies?policy_id=NOT_A_SLUG")
                .then().statusCode(400).body("reason", equalTo("INVALID_POLICY_ID"))
                .body("violations[0].field", equalTo("policy_id"));

        given().contentType(ContentType.JSON).body("{not json")
                .post("/v1/policies?policy_id=broken-json")
                .then().statusCode(400).body("reason", equalTo("INVALID_ARGUMENT"));

        given().get("/v1/resolve?reference=nonsense")
                .then().statusCode(400).body("reason", equalTo("INVALID_REFERENCE"));
    }

    @Test
    void openApiAndHealthAndMetricsAreServed() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/policies"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("registry_outbox_pending"));
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
