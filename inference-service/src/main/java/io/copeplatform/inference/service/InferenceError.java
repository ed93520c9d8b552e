package io.copeplatform.inference.service;

import java.util.List;
import java.util.Map;

/**
 * A classification that cannot be served, described protocol-neutrally: a status kind, a stable reason (the
 * {@code ErrorInfo.reason} of the API), a message, metadata and field violations. The gRPC adapter turns it into a call
 * status or, for one item of a batch or stream, into a per-item error.
 */
public final class InferenceError extends RuntimeException {

    /** Mirrors the gRPC codes the service uses. */
    public enum Kind {
        INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE, INTERNAL
    }

    /** One invalid request field. */
    public record Violation(String field, String description) {
    }

    private final Kind kind;
    private final String reason;
    private final Map<String, String> metadata;
    private final List<Violation> violations;

    public InferenceError(Kind kind, String reason, String message, Map<String, String> metadata,
            List<Violation> violations) {
        super(message, null, false, false);
        this.kind = kind;
        this.reason = reason;
        this.metadata = Map.copyOf(metadata);
        this.violations = List.copyOf(violations);
    }

    public static InferenceError invalid(String reason, String field, String description) {
        return new InferenceError(Kind.INVALID_ARGUMENT, reason, field + ": " + description, Map.of("field", field),
                List.of(new Violation(field, description)));
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public List<Violation> violations() {
        return violations;
    }
}
