package io.copeplatform.registry.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one exception the registry's logic throws. Each adapter (gRPC, REST) maps it in exactly one place to its
 * protocol's error (status + ErrorInfo reason + field violations, or problem+json).
 */
public final class RegistryException extends RuntimeException {

    private final ErrorReason reason;
    private final Map<String, String> metadata;
    private final List<FieldViolation> violations;

    private RegistryException(ErrorReason reason, String message, Map<String, String> metadata,
            List<FieldViolation> violations) {
        super(message, null, false, false);
        this.reason = reason;
        this.metadata = Map.copyOf(metadata);
        this.violations = List.copyOf(violations);
    }

    public static RegistryException of(ErrorReason reason, String message) {
        return new RegistryException(reason, message, Map.of(), List.of());
    }

    public static RegistryException of(ErrorReason reason, String message, Map<String, String> metadata) {
        return new RegistryException(reason, message, metadata, List.of());
    }

    /** An INVALID_ARGUMENT-kind error on one field. */
    public static RegistryException invalidField(ErrorReason reason, String field, String description) {
        return new RegistryException(reason, field + ": " + description, Map.of("field", field),
                List.of(new FieldViolation(field, description)));
    }

    public static RegistryException policyNotFound(String policyId) {
        return of(ErrorReason.POLICY_NOT_FOUND, "Policy policies/" + policyId + " does not exist",
                Map.of("policy", policyId));
    }

    public static RegistryException versionNotFound(String policyId, long version) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("policy", policyId);
        metadata.put("version", String.valueOf(version));
        return of(ErrorReason.POLICY_VERSION_NOT_FOUND,
                "Policy version policies/" + policyId + "/versions/" + version + " does not exist", metadata);
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
