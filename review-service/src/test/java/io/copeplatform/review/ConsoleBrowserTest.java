package io.copeplatform.review;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.BoundingBox;

import io.copeplatform.api.review.v1.BinocularIterationSummary;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.Decision;
import io.copeplatform.api.review.v1.GetTaskRequest;
import io.copeplatform.api.review.v1.PolicySide;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The console in a REAL browser: Debian's Chromium driven by Playwright (never downloaded: the surefire config sets
 * PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD and we launch /usr/bin/chromium). Screenshots land in target/screenshots/.
 */
@QuarkusTest
class ConsoleBrowserTest {

    static final Path CHROMIUM = Path.of(System.getProperty("cope.chromium", "/usr/bin/chromium"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static ReviewClient client;
    private static Playwright playwright;
    private static Browser browser;
    private BrowserContext context;

    @BeforeAll
    static void startBrowser() {
        client = new ReviewClient();
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync")));
    }

    @AfterAll
    static void stopBrowser() throws InterruptedException {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        client.close();
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    private Page signIn(String user, String password, int width, int height) {
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(width, height));
        context.setDefaultTimeout(20_000);
        Page page = context.newPage();
        page.navigate(ConsoleClient.baseUrl() + "/console");
        assertThat(page).hasURL(Pattern.compile(".*/login$"));
        page.getByLabel("User name").fill(user);
        page.getByLabel("Password").fill(password);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Review queue")))
                .isVisible();
        return page;
    }

    private static void screenshot(Page page, String name) {
        page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")).setFullPage(true));
    }

    @Test
    void aReviewerClaimsMarksAClauseBySelectingTextAndDecidesWithTheKeyboard(TestInfo info) {
        String job = "browser-" + UUID.randomUUID();
        client.createTasks(job, 2, 1);
        Page page = signIn("ann", "ann-pw", 1280, 800);
        screenshot(page, "1-queue");
        assertEquals(List.of(), unlabelledControls(page), "every form control of the queue page has a label");

        page.getByLabel("Job").selectOption(job);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Claim next task")).click();
        assertThat(page).hasURL(Pattern.compile(".*/console/tasks/[0-9a-f-]{36}$"));
        String taskId = page.url().substring(page.url().lastIndexOf('/') + 1);
        assertThat(page.locator("#lease-left")).hasText(Pattern.compile("\\d+ min \\d\\d s"));
        assertEquals(List.of(), unlabelledControls(page), "every form control has a label");
        assertThat(page.locator("#policy-text-A mark").first()).isVisible();

        // Renewing the lease (htmx) moves its end later without leaving the page.
        long expireBefore = Long.parseLong(page.locator("#lease-left").getAttribute("data-expire"));
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Renew lease")).click();
        page.waitForCondition(
                () -> Long.parseLong(page.locator("#lease-left").getAttribute("data-expire")) > expireBefore);
        assertThat(page.locator("#lease-left")).hasText(Pattern.compile("\\d+ min \\d\\d s"));

        // Disturbing content starts blurred; the toggle reveals it.
        assertThat(page.locator("#task-content")).hasClass(Pattern.compile("blurred"));
        page.locator("#blur-toggle").click();
        assertThat(page.locator("#task-content")).not().hasClass(Pattern.compile("blurred"));
        assertThat(page.locator("#blur-toggle")).hasAttribute("aria-pressed", "false");

        // Select "insults a named person" in version A by dragging the mouse over it (it crosses highlighted words).
        String phrase = "insults a named person";
        int start = ReviewClient.TEXT_A.indexOf(phrase);
        int end = start + phrase.length();
        BoundingBox first = charBox(page, "A", start);
        BoundingBox last = charBox(page, "A", end - 1);
        page.mouse().move(first.x + 1, first.y + first.height / 2);
        page.mouse().down();
        page.mouse().move(last.x + last.width - 1, last.y + last.height / 2,
                new com.microsoft.playwright.Mouse.MoveOptions()
                        .setSteps(8));
        page.mouse().up();
        assertThat(page.locator("#clause-status"))
                .containsText("version A, characters " + start + "–" + end + ": “" + phrase + "”");
        screenshot(page, "2-task-with-clause");

        // Decide with the keyboard only: 1 = violates, a = version A, Enter = submit (no page reload).
        page.keyboard().press("1");
        page.keyboard().press("a");
        assertThat(page.locator("#label-1")).isChecked();
        assertThat(page.locator("#version-a")).isChecked();
        page.evaluate("() => { window.__sameDocument = true; }");
        page.keyboard().press("Enter");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Decision recorded")))
                .isFocused();
        assertEquals(Boolean.TRUE, page.evaluate("() => window.__sameDocument === true"),
                "the decision was submitted without a full page load");
        assertThat(page.locator("#task-state-after")).hasText("DONE");
        screenshot(page, "3-decided");

        Decision decision = client.lead("lead-checker")
                .getTask(GetTaskRequest.newBuilder().setName("tasks/" + taskId).build()).getTask().getDecisions(0);
        assertEquals("ann", decision.getReviewer());
        assertTrue(decision.getLabel());
        assertEquals(CorrectVersion.CORRECT_VERSION_A, decision.getCorrectVersion());
        assertEquals(PolicySide.POLICY_SIDE_A, decision.getAmbiguousClause().getSide());
        assertEquals(start, decision.getAmbiguousClause().getStartOffset());
        assertEquals(end, decision.getAmbiguousClause().getEndOffset());

        // Next task by keyboard: Tab from the focused heading to "Claim the next task", Enter; then 0, b, Ctrl+Enter.
        page.keyboard().press("Tab");
        assertThat(page.locator("#claim-next")).isFocused();
        page.keyboard().press("Enter");
        assertThat(page).hasURL(Pattern.compile(".*/console/tasks/[0-9a-f-]{36}$"));
        assertFalse(page.url().endsWith(taskId), "a different task");
        page.keyboard().press("0");
        page.keyboard().press("b");
        page.keyboard().press("Control+Enter");
        assertThat(page.locator("#task-state-after")).hasText("DONE");
    }

    @Test
    void skippingWithSReleasesTheTaskBackToTheQueue() {
        String job = "browser-skip-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        Page page = signIn("bob", "bob-pw", 1280, 800);
        page.getByLabel("Job").selectOption(job);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Claim next task")).click();
        assertThat(page).hasURL(Pattern.compile(".*/console/tasks/.*"));
        page.keyboard().press("s");
        assertThat(page).hasURL(Pattern.compile(".*/console$"));
        assertThat(page.locator("tr", new Page.LocatorOptions().setHasText(job)).locator("td").nth(0)).hasText("1");
    }

    @Test
    void aDecisionAfterTheSessionEndedLeadsToTheLoginPageAndBackToTheTask() {
        String job = "browser-session-" + UUID.randomUUID();
        client.createTasks(job, 1, 1);
        Page page = signIn("bob", "bob-pw", 1280, 800);
        page.getByLabel("Job").selectOption(job);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Claim next task")).click();
        assertThat(page).hasURL(Pattern.compile(".*/console/tasks/.*"));
        String taskUrl = page.url();
        context.clearCookies();
        page.keyboard().press("1");
        page.keyboard().press("b");
        page.keyboard().press("Enter");
        assertThat(page).hasURL(Pattern.compile(".*/login$"));
        page.getByLabel("User name").fill("bob");
        page.getByLabel("Password").fill("bob-pw");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page).hasURL(taskUrl);
        assertThat(page.locator("#lease-left")).isVisible();
    }

    @Test
    void aLeadSeesTheAgreementChartOfAJobAtLaptopAndNarrowWidths() {
        String job = "browser-chart-" + UUID.randomUUID();
        for (int iteration = 1; iteration <= 3; iteration++) {
            var summary = BinocularIterationSummary.newBuilder().setIteration(iteration).setLabeledCount(100)
                    .setMismatchCount(40 - 10 * iteration).setPercentAgreement(0.6 + 0.1 * iteration)
                    .setCohensKappa(0.2 + 0.2 * iteration).build();
            client.publish(ReviewClient.event(job, iteration, "item-" + iteration, 1).toBuilder()
                    .setIterationSummary(summary).build());
        }
        client.awaitTasks(job, 3);
        Page page = signIn("lena", "lena-pw", 1280, 800);
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(job)).click();
        assertThat(page.getByRole(AriaRole.IMG, new Page.GetByRoleOptions()
                .setName("Agreement per iteration of job " + job))).isVisible();
        assertThat(page.locator("#agreement-chart circle.point.determinism")).hasCount(3);
        assertThat(page.locator("table.iterations tbody tr")).hasCount(3);
        assertThat(page.locator("table.iterations tbody tr").nth(2)).containsText("90.0%");
        screenshot(page, "4-job-chart");

        page.setViewportSize(800, 900);
        screenshot(page, "5-job-chart-narrow");
        page.navigate(ConsoleClient.baseUrl() + "/console");
        page.getByLabel("Job").selectOption(job);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Claim next task")).click();
        BoundingBox a = page.locator("#policy-text-A").boundingBox();
        BoundingBox b = page.locator("#policy-text-B").boundingBox();
        assertTrue(b.y > a.y + a.height, "the two versions stack on a narrow screen");
        screenshot(page, "6-task-narrow");
        page.setViewportSize(1280, 800);
        a = page.locator("#policy-text-A").boundingBox();
        b = page.locator("#policy-text-B").boundingBox();
        assertEquals(a.y, b.y, 1.0, "side by side at 1280x800");
    }

    /** Ids (or names) of visible form controls without an accessible label: must be none. */
    @SuppressWarnings("unchecked")
    private static List<String> unlabelledControls(Page page) {
        return (List<String>) page.evaluate("() => Array.from(document.querySelectorAll("
                + "'input:not([type=hidden]), textarea, select'))"
                + ".filter(e => e.labels.length === 0 && !e.getAttribute('aria-label'))"
                + ".map(e => e.id || e.name)");
    }

    /** The on-screen box of character {@code index} of a policy text (read from the rendered layout). */
    private static BoundingBox charBox(Page page, String side, int index) {
        @SuppressWarnings("unchecked")
        Map<String, Object> box = (Map<String, Object>) page.evaluate("([side, index]) => {"
                + "const root = document.getElementById('policy-text-' + side);"
                + "const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);"
                + "let left = index;"
                + "for (let node = walker.nextNode(); node; node = walker.nextNode()) {"
                + "  if (left < node.length) {"
                + "    const range = document.createRange(); range.setStart(node, left); range.setEnd(node, left + 1);"
                + "    const r = range.getBoundingClientRect();"
                + "    return { x: r.x, y: r.y, width: r.width, height: r.height };"
                + "  }"
                + "  left -= node.length;"
                + "}"
                + "return null; }", List.of(side, index));
        BoundingBox result = new BoundingBox();
        result.x = ((Number) box.get("x")).doubleValue();
        result.y = ((Number) box.get("y")).doubleValue();
        result.width = ((Number) box.get("width")).doubleValue();
        result.height = ((Number) box.get("height")).doubleValue();
        return result;
    }
}
