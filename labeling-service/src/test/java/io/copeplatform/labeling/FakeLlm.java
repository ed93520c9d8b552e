package io.copeplatform.labeling;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for a remote LLM that speaks the OpenAI Chat Completions wire format, with deterministic rules so
 * that two wordings of a policy disagree on known items, and the error behaviours of real servers.
 * <p>
 * Labeling (the CoPE-A prompt in the user message) answers by content markers:
 * <ul>
 * <li>{@code #spam}: "1"; {@code #borderline}: "1" only when the POLICY contains {@link #STRICT_CLAUSE} or
 * {@link #REFINED_CLAUSE}, else "0"; anything else: "0";</li>
 * <li>{@code #malformed}: always "perhaps"; {@code #malformed-once}: "perhaps" the first time, then the label;</li>
 * <li>{@code #429}: the first request answers 429 with {@code Retry-After: 1}; {@code #500}: the first answers 500;
 * {@code #slow}: the first request stalls past the client's timeout.</li>
 * </ul>
 * Paraphrase prompts ("PARAPHRASE TASK") drop the strict clause in favour of {@link #LENIENT_CLAUSE} and reword the
 * overview; refine prompts ("REFINE TASK") replace the strict clause with {@link #REFINED_CLAUSE}, which paraphrases
 * keep. {@link #down} makes every request fail with 503.
 */
public final class FakeLlm implements AutoCloseable {

    public static final String STRICT_CLAUSE = "Borderline promotions count as commercial solicitations.";
    public static final String LENIENT_CLAUSE = "Borderline promotions are judged like any other post.";
    public static final String REFINED_CLAUSE = "A borderline promotion is a commercial solicitation, always.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeLlm shared;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and the client's
        // delayed ACK add ~40 ms to every answer — an artefact of this fake that a real LLM server does not have.
        // Read once when the server classes initialise, so it must be set before the first HttpServer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(96);
    /** Delays answers ({@link #latency}, {@code #slow}) without holding a server thread while they wait. */
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong labelRequests = new AtomicLong();
    public volatile Duration latency = Duration.ZERO;
    public volatile boolean down;

    private FakeLlm() throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 256);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** One fake per test JVM. */
    public static synchronized FakeLlm shared() {
        if (shared == null) {
            try {
                shared = new FakeLlm();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    public static FakeLlm start() throws IOException {
        return new FakeLlm();
    }

    public String baseUrl() {
        return "http://localhost:" + server.getAddress().getPort() + "/v1";
    }

    public long requests() {
        return requests.get();
    }

    public long labelRequests() {
        return labelRequests.get();
    }

    /** Requests seen whose user message contained {@code marker}. */
    public int requestsFor(String marker) {
        AtomicInteger n = seen.get("count:" + marker);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        if (latency.isZero()) {
            answer(exchange);
        } else {
            timers.schedule(() -> threads.execute(() -> answer(exchange)), latency.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Answers one request; the exchange is closed here unless the answer was handed to a timer. */
    private void answer(HttpExchange exchange) {
        boolean stalled = false;
        try {
            if (!"Bearer test-key".equals(exchange.getRequestHeaders().getFirst("Authorization"))
                    && !"Bearer other-key".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"error\":{\"message\":\"bad key\"}}");
                return;
            }
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            if (down) {
                send(exchange, 503, "{\"error\":{\"message\":\"overloaded\"}}");
                return;
            }
            String system = body.path("messages").path(0).path("content").asText();
            String user = body.path("messages").path(1).path("content").asText();
            if (system.startsWith("PARAPHRASE TASK")) {
                String policy = section(user, "POLICY\n======\n\n", "\n\n\nEXTRA INSTRUCTIONS");
                reply(exchange, policy.replace(STRICT_CLAUSE, LENIENT_CLAUSE)
                        .replace("This policy covers", "This policy is about"), false, false);
                return;
            }
            if (system.startsWith("REFINE TASK")) {
                String policy = section(user, "POLICY\n======\n\n", "\n\n\nREVIEWER FINDINGS");
                reply(exchange, "```markdown\n" + policy.replace(STRICT_CLAUSE, REFINED_CLAUSE) + "\n```", false,
                        false);
                return;
            }
            labelRequests.incrementAndGet();
            String policy = section(user, "POLICY\n======\n\n", "\n\n\nCONTENT\n=======");
            String content = section(user, "CONTENT\n=======\n\n", "\n\n\nANSWER\n======");
            for (String marker : new String[]{"#429", "#500", "#slow", "#malformed-once", "#malformed", "#spam",
                    "#borderline"}) {
                if (content.contains(marker)) {
                    seen.computeIfAbsent("count:" + marker, k -> new AtomicInteger()).incrementAndGet();
                }
            }
            int attempt = seen.computeIfAbsent(policy.hashCode() + "|" + content, k -> new AtomicInteger())
                    .incrementAndGet();
            if (content.contains("#429") && attempt == 1) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                send(exchange, 429, "{\"error\":{\"message\":\"rate limited\"}}");
                return;
            }
            if (content.contains("#500") && attempt == 1) {
                send(exchange, 500, "{\"error\":{\"message\":\"internal\"}}");
                return;
            }
            if (content.contains("#slow") && attempt == 1) {
                stalled = true; // answers long after the client's timeout
                timers.schedule(() -> {
                    try (exchange) {
                        send(exchange, 200, "{}");
                    } catch (IOException gone) {
                        // the client gave up, as intended
                    }
                }, 5, TimeUnit.SECONDS);
                return;
            }
            if (content.contains("#malformed") && !content.contains("#malformed-once")) {
                reply(exchange, "perhaps", false, false);
                return;
            }
            if (content.contains("#malformed-once") && attempt == 1) {
                reply(exchange, "I think the answer is 1", false, false);
                return;
            }
            boolean label = content.contains("#spam") || (content.contains("#borderline")
                    && (policy.contains(STRICT_CLAUSE) || policy.contains(REFINED_CLAUSE)));
            boolean json = system.contains("JSON object");
            reply(exchange, json ? "{\"label\": " + (label ? 1 : 0) + "}" : label ? "1" : "0",
                    body.path("logprobs").asBoolean(false), label);
        } catch (IOException | RuntimeException e) {
            try {
                send(exchange, 500, "{\"error\":{\"message\":\"fake failed: " + e + "\"}}");
            } catch (IOException | RuntimeException gone) {
                // the client is gone
            }
        } finally {
            if (!stalled) {
                exchange.close();
            }
        }
    }

    private static String section(String text, String start, String end) {
        int from = text.indexOf(start);
        if (from < 0) {
            return "";
        }
        from += start.length();
        int to = text.indexOf(end, from);
        return to < 0 ? text.substring(from) : text.substring(from, to);
    }

    private static void reply(HttpExchange exchange, String content, boolean logprobs, boolean label)
            throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-fake").put("object", "chat.completion").put("model", "fake-llm");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content);
        if (logprobs) {
            ObjectNode first = choice.putObject("logprobs").putArray("content").addObject();
            double p1 = label ? 0.9 : 0.2;
            first.put("token", label ? "1" : "0").put("logprob", Math.log(label ? p1 : 1 - p1));
            first.putArray("top_logprobs").add(JSON.createObjectNode().put("token", "1").put("logprob", Math.log(p1)))
                    .add(JSON.createObjectNode().put("token", "0").put("logprob", Math.log(1 - p1)));
        }
        root.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 1).put("total_tokens", 101);
        send(exchange, 200, root.toString());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        timers.shutdownNow();
        threads.shutdownNow();
    }
}
