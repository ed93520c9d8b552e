package io.copeplatform.labeling.domain;

import java.util.List;
import java.util.Map;

/** A failure with a stable reason, mapped to the protocol in one place per adapter. */
public class LabelingException extends RuntimeException {

    private final ErrorReason reason;
    private final Map<String, String> metadata;
    private final List<FieldViolation> violations;

    public LabelingException(ErrorReason reason, String message) {
        this(reason, message, Map.of(), List.of());
    }

    public LabelingException(ErrorReason reason, String message, Map<String, String> metadata,
            List<FieldViolation> violations) {
        super(message);
        this.reason = reason;
        this.metadata = metadata;
        this.violations = violations;
    }

    public static LabelingException invalid(ErrorReason reason, String field, String description) {
        return new LabelingException(reason, field + ": " + description, Map.of(),
                List.of(new FieldViolation(field, description)));
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
