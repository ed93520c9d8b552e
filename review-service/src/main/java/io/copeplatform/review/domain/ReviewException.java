package io.copeplatform.review.domain;

import java.util.List;
import java.util.Map;

/** The one exception the review logic throws; the gRPC adapter maps it in one place ({@code GrpcErrors}). */
public final class ReviewException extends RuntimeException {

    private final ErrorReason reason;
    private final Map<String, String> metadata;
    private final List<FieldViolation> violations;

    private ReviewException(ErrorReason reason, String message, Map<String, String> metadata,
            List<FieldViolation> violations) {
        super(message, null, false, false);
        this.reason = reason;
        this.metadata = Map.copyOf(metadata);
        this.violations = List.copyOf(violations);
    }

    public static ReviewException of(ErrorReason reason, String message) {
        return new ReviewException(reason, message, Map.of(), List.of());
    }

    public static ReviewException of(ErrorReason reason, String message, Map<String, String> metadata) {
        return new ReviewException(reason, message, metadata, List.of());
    }

    /** An INVALID_ARGUMENT-kind error on one field. */
    public static ReviewException invalidField(ErrorReason reason, String field, String description) {
        return new ReviewException(reason, field + ": " + description, Map.of("field", field),
                List.of(new FieldViolation(field, description)));
    }

    public static ReviewException roleRequired(Role role, String what) {
        return of(ErrorReason.ROLE_REQUIRED, what + " requires the " + role.name().toLowerCase() + " role",
                Map.of("required_role", role.name().toLowerCase()));
    }

    public static ReviewException taskNotFound(String taskId) {
        return of(ErrorReason.TASK_NOT_FOUND, "Task tasks/" + taskId + " does not exist", Map.of("task", taskId));
    }

    public ErrorReason reason() {
        return reason;
    }

    public ErrorKind kind() {
        return reason.kind();
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public List<FieldViolation> violations() {
        return violations;
    }
}
