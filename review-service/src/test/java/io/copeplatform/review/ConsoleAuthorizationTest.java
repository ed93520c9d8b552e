package io.copeplatform.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** Who may open which console page, over real HTTP with form sign-in of the built-in test users. */
@QuarkusTest
class ConsoleAuthorizationTest {

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
    void anonymousVisitorsAreSentToTheLoginPageAndItsAssetsAreOpen() {
        ConsoleClient anonymous = new ConsoleClient();
        for (String path : new String[]{"/console", "/console/audit", "/console/jobs/x", "/"}) {
            HttpResponse<String> answer = anonymous.page(path);
            assertEquals(302, answer.statusCode(), path);
            assertTrue(answer.headers().firstValue("location").orElse("").endsWith("/login"), path);
        }
        HttpResponse<String> login = anonymous.page("/login");
        assertEquals(200, login.statusCode());
        assertTrue(login.body().contains("name=\"j_username\""));
        assertEquals(200, anonymous.page("/console-assets/console.js").statusCode());
        assertEquals(200, anonymous.page("/webjars/htmx.org/2.0.8/dist/htmx.min.js").statusCode());
    }

    @Test
    void aWrongPasswordDoesNotSignIn() {
        ConsoleClient visitor = new ConsoleClient();
        HttpResponse<String> answer = visitor.signIn("ann", "not-her-password");
        assertEquals(302, answer.statusCode());
        assertTrue(answer.headers().firstValue("location").orElse("").contains("/login?error=true"));
        assertEquals(302, visitor.page("/console").statusCode(), "still signed out");
    }

    @Test
    void reviewersSeeTheQueueButNotTheAuditLogJobAgreementOrOthersStatistics() {
        String job = "console-auth-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ConsoleClient ann = ConsoleClient.signedIn("ann", "ann-pw");
        HttpResponse<String> queue = ann.page("/console");
        assertEquals(200, queue.statusCode());
        assertTrue(queue.body().contains(job), "the queue lists the job");
        assertFalse(queue.body().contains("href=\"/console/audit\""), "no audit link for reviewers");
        assertForbidden(ann.page("/console/audit"));
        assertForbidden(ann.page("/console/jobs/" + job));
        assertForbidden(ann.page("/console/reviewers/bob"));
        HttpResponse<String> own = ann.page("/console/reviewers/me");
        assertEquals(200, own.statusCode());
        assertTrue(own.body().contains("Reviewer <span class=\"reviewer\">ann</span>"));
    }

    @Test
    void leadsAndAdminsReadTheAuditLogJobPagesAndAnyReviewer() {
        String job = "console-lead-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        ConsoleClient ann = ConsoleClient.signedIn("ann", "ann-pw");
        ann.claim(job);
        for (String[] user : new String[][]{{"lena", "lena-pw"}, {"adam", "adam-pw"}}) {
            ConsoleClient lead = ConsoleClient.signedIn(user[0], user[1]);
            HttpResponse<String> audit = lead.page("/console/audit?job=" + job);
            assertEquals(200, audit.statusCode(), user[0]);
            assertTrue(audit.body().contains("CLAIMED"), "ann's claim is audited");
            assertTrue(audit.body().contains("ann (reviewer)"));
            HttpResponse<String> jobPage = lead.page("/console/jobs/" + job);
            assertEquals(200, jobPage.statusCode());
            assertTrue(jobPage.body().contains("<svg id=\"agreement-chart\""));
            assertEquals(200, lead.page("/console/reviewers/ann").statusCode());
        }
    }

    @Test
    void aSignedInUserWithoutAReviewRoleIsForbidden() {
        ConsoleClient nobody = ConsoleClient.signedIn("nobody", "nobody-pw");
        assertForbidden(nobody.page("/console"));
    }

    @Test
    void aReviewerSeesAnotherReviewersDecisionOnlyAfterSubmittingTheirOwn() {
        String job = "console-hidden-" + UUID.randomUUID();
        client.createTasks(job, 1, 2);
        ConsoleClient bob = ConsoleClient.signedIn("bob", "bob-pw");
        String task = bob.claim(job);
        Map<String, String> bobs = ConsoleClient.decisionForm(bob.page("/console/tasks/" + task).body());
        bobs.putAll(Map.of("label", "1", "correctVersion", "A", "note", "bob-private-note"));
        assertEquals(200, bob.post("/console/tasks/" + task + "/decision", bobs, Map.of("HX-Request", "true"))
                .statusCode());

        ConsoleClient ann = ConsoleClient.signedIn("ann", "ann-pw");
        assertEquals(task, ann.claim(job));
        String before = ann.page("/console/tasks/" + task).body();
        assertFalse(before.contains("bob-private-note"), "bob's decision is hidden before ann decides");
        Map<String, String> anns = ConsoleClient.decisionForm(before);
        anns.putAll(Map.of("label", "1", "correctVersion", "B"));
        HttpResponse<String> decided = ann.post("/console/tasks/" + task + "/decision", anns,
                Map.of("HX-Request", "true"));
        assertEquals(200, decided.statusCode());
        assertTrue(decided.body().contains("Decision recorded"));
        assertTrue(decided.body().contains("bob-private-note"), "after deciding, ann sees bob's decision");
        assertTrue(decided.body().contains("id=\"task-state-after\">DONE<"));
    }

    private static void assertForbidden(HttpResponse<String> answer) {
        assertEquals(403, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("ROLE_REQUIRED"), answer.body());
    }
}
