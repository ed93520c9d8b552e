package io.copeplatform.inference.service;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.engine.Classification;
import io.copeplatform.inference.engine.ClassifyInput;
import io.copeplatform.inference.engine.ModelManifest;
import io.copeplatform.inference.engine.PromptEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Validates a classification request against the limits, settles its policy text and threshold, and runs it on the
 * served model. Every answer carries what produced it: model, policy (text hash), template, threshold source.
 */
@ApplicationScoped
public class ClassificationService {

    /** Threshold when neither the request nor a deployment gives one. */
    public static final double DEFAULT_THRESHOLD = 0.5;
    /** {@code policy_ref} of results classified against an inline policy text. */
    public static final String INLINE = "inline";

    private final ModelHost host;
    private final InferenceConfig config;
    private final PolicyCache policies;
    private final DistributionSummary promptTokens;
    private final DistributionSummary contentTokens;
    private final Timer queueTime;
    private final MeterRegistry meters;
    /** {@code inference_requests_total} by outcome, looked up once per outcome (not per request). */
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

    public ClassificationService(ModelHost host, InferenceConfig config, PolicyCache policies, MeterRegistry meters) {
        this.host = host;
        this.config = config;
        this.policies = policies;
        this.meters = meters;
        this.queueTime = Timer.builder("inference.queue.time").description("time a request waited for its batch")
                .register(meters);
        this.promptTokens = DistributionSummary.builder("inference.request.tokens").tag("part", "prompt")
                .register(meters);
        this.contentTokens = DistributionSummary.builder("inference.request.tokens").tag("part", "content")
                .register(meters);
    }

    /** Where the threshold came from. */
    public enum ThresholdSource {
        REQUEST, DEPLOYMENT, DEFAULT
    }

    /** The policy of a request: inline text or a registry reference (exactly one). */
    public record PolicyInput(String text, String ref) {
    }

    /** One request; {@code field} prefixes field names in errors (e.g. {@code items[3].}). */
    public record Request(String content, PolicyInput policy, Double threshold, boolean allowContentTruncation,
            String model, long deadlineNanos) {
    }

    /** Which policy text was used. */
    public record PolicyProvenance(String policyVersion, String policyRef, String textSha256, boolean deprecated) {
    }

    /** A classification with its provenance. */
    public record Outcome(Classification classification, ModelManifest model, PolicyProvenance policy,
            ThresholdSource thresholdSource) {
    }

    /**
     * Validates synchronously (throws {@link InferenceError}), resolves a policy reference (cached), then classifies;
     * the returned Uni fails with resolution or engine errors. Every request, whichever API it came through (unary,
     * batch item, stream item, Kafka), is counted once in {@code inference_requests_total} by outcome: {@code ok} or
     * the error's reason.
     */
    public Uni<Outcome> classify(Request request, String fieldPrefix) {
        Uni<Outcome> outcome;
        try {
            outcome = validateAndRun(request, fieldPrefix);
        } catch (RuntimeException e) {
            countOutcome(InferenceErrors.classify(e).reason());
            throw e;
        }
        return outcome.invoke(done -> countOutcome("ok"))
                .onFailure().invoke(failure -> countOutcome(InferenceErrors.classify(failure).reason()));
    }

    private void countOutcome(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> meters.counter("inference.requests", "outcome", o)).increment();
    }

    private Uni<Outcome> validateAndRun(Request request, String fieldPrefix) {
        ModelManifest model = host.engine().bundle().manifest();
        if (request.model() != null && !request.model().isEmpty() && !request.model().equals(model.name())) {
            throw new InferenceError(InferenceError.Kind.NOT_FOUND, "MODEL_NOT_FOUND", "This instance serves "
                    + model.name() + ", not " + request.model(), Map.of("model", request.model()),
                    List.of());
        }
        String content = request.content() == null ? "" : request.content();
        if (content.isEmpty()) {
            throw InferenceError.invalid("CONTENT_EMPTY", fieldPrefix + "content", "must not be empty");
        }
        requireAtMost(content, config.limits().maxContentBytes(), "CONTENT_TOO_LARGE", fieldPrefix + "content");
        if (request.threshold() != null && !(request.threshold() >= 0.0 && request.threshold() <= 1.0)) {
            throw InferenceError.invalid("INVALID_THRESHOLD", fieldPrefix + "threshold",
                    "must be within [0, 1] (got " + request.threshold() + ")");
        }
        PolicyInput policy = request.policy();
        if (policy == null || (isBlank(policy.text()) && isBlank(policy.ref()))) {
            throw InferenceError.invalid("POLICY_MISSING", fieldPrefix + "policy",
                    "give policy_text or policy_ref");
        }
        Double requested = request.threshold();
        Executor answerOn = answerExecutor(); // captured here, on the caller's thread
        if (!isBlank(policy.ref())) {
            return policies.resolve(policy.ref()).flatMap(resolved -> {
                double threshold = requested != null ? requested : resolved.threshold();
                ThresholdSource source = requested != null
                        ? ThresholdSource.REQUEST
                        : resolved.live() ? ThresholdSource.DEPLOYMENT : ThresholdSource.DEFAULT;
                return run(model, request, answerOn, resolved.text(), threshold, source, new PolicyProvenance(
                        resolved.policyVersion(), resolved.reference(), resolved.textSha256(), resolved.deprecated()));
            });
        }
        requireAtMost(policy.text(), config.limits().maxPolicyBytes(), "POLICY_TOO_LARGE",
                fieldPrefix + "policy_text");
        double threshold = requested != null ? requested : DEFAULT_THRESHOLD;
        ThresholdSource source = requested != null ? ThresholdSource.REQUEST : ThresholdSource.DEFAULT;
        return run(model, request, answerOn, policy.text(), threshold, source,
                new PolicyProvenance("", INLINE, PromptEncoder.sha256(policy.text()), false));
    }

    private Uni<Outcome> run(ModelManifest model, Request request, Executor answerOn, String policyText,
            double threshold, ThresholdSource source, PolicyProvenance provenance) {
        return Uni.createFrom().deferred(() -> Uni.createFrom().completionStage(host.engine()
                .classify(new ClassifyInput(policyText, request.content(), threshold,
                        request.allowContentTruncation(), request.deadlineNanos()))))
                // Answers leave the batcher thread at once: mapping and writing them must not delay the next batch.
                .emitOn(answerOn)
                .map(classification -> {
                    promptTokens.record(classification.promptTokens());
                    contentTokens.record(classification.contentTokens());
                    queueTime.record(classification.queueNanos(), TimeUnit.NANOSECONDS);
                    return new Outcome(classification, model, provenance, source);
                });
    }

    /**
     * Where an answer is mapped and handed back: the caller's Vert.x context when there is one (a gRPC call: its event
     * loop writes the response anyway, so this saves a hop through a worker thread), else the worker pool.
     */
    private static Executor answerExecutor() {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Infrastructure.getDefaultExecutor();
        }
        return task -> context.runOnContext(ignored -> task.run());
    }

    private static void requireAtMost(String text, int maxBytes, String reason, String field) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw InferenceError.invalid(reason, field,
                    "is " + bytes + " bytes; the limit is " + maxBytes + " bytes (UTF-8)");
        }
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
