package io.copeplatform.review;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * A plain HTTP client of the console over a real socket, with its own cookie jar (one signed-in user per client) and no
 * redirect following, so tests see the server's answers as they are.
 */
public final class ConsoleClient {

    private final String base;
    private final HttpClient http;

    public ConsoleClient() {
        this.base = baseUrl();
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(
                HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    public static String baseUrl() {
        return "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    /** Signs in with form authentication; returns the login answer (302 to the landing or error page). */
    public HttpResponse<String> signIn(String user, String password) {
        return post("/j_security_check", Map.of("j_username", user, "j_password", password), Map.of());
    }

    public static ConsoleClient signedIn(String user, String password) {
        ConsoleClient client = new ConsoleClient();
        HttpResponse<String> login = client.signIn(user, password);
        if (login.statusCode() != 302 || login.headers().firstValue("location").orElse("").contains("error")) {
            throw new IllegalStateException("Sign-in of " + user + " failed: " + login.statusCode() + " "
                    + login.headers().map());
        }
        return client;
    }

    /** A page, as a browser asks for it. */
    public HttpResponse<String> page(String path) {
        return get(path, Map.of("Accept", "text/html"));
    }

    public HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).GET()
                .timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return send(request.build());
    }

    public HttpResponse<String> post(String path, Map<String, String> form, Map<String, String> headers) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return send(request.build());
    }

    /** Claims the next task of {@code job} in the console; returns the task id from the redirect. */
    public String claim(String job) {
        HttpResponse<String> answer = post("/console/claim", Map.of("job", job), Map.of());
        String location = answer.headers().firstValue("location").orElse("");
        if (answer.statusCode() != 303 || !location.contains("/console/tasks/")) {
            throw new IllegalStateException("Claim failed: " + answer.statusCode() + " " + location);
        }
        return location.substring(location.lastIndexOf('/') + 1);
    }

    /** The decision form's fields of a task page (lease and request ids). */
    public static Map<String, String> decisionForm(String taskPage) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("leaseId", hidden(taskPage, "leaseId"));
        form.put("requestId", hidden(taskPage, "requestId"));
        return form;
    }

    static String hidden(String html, String name) {
        Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]*)\"").matcher(html);
        if (!m.find()) {
            throw new IllegalStateException("No hidden field " + name + " in the page");
        }
        return m.group(1);
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
