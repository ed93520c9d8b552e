package io.copeplatform.registry.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource names and references of the registry, parsed and validated in one place.
 * <ul>
 * <li>{@code policies/{policy}} where {@code {policy}} is a lower-case slug of 2-63 characters</li>
 * <li>{@code policies/{policy}/versions/{version}}, {@code policies/{policy}/draft},
 * {@code policies/{policy}/deployments/{n}}</li>
 * <li>references: a version name, {@code policies/{policy}@live}, {@code policies/{policy}@latest}, and (for diff) the
 * draft name</li>
 * </ul>
 */
public final class PolicyNames {

    /** A lower-case slug: letters, digits and single hyphens; starts with a letter; 2-63 characters. */
    public static final Pattern POLICY_ID = Pattern.compile("[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,62}");

    private static final Pattern POLICY = Pattern.compile("policies/([^/@]+)");
    private static final Pattern VERSION = Pattern.compile("policies/([^/@]+)/versions/([0-9]{1,9})");
    private static final Pattern DRAFT = Pattern.compile("policies/([^/@]+)/draft");
    private static final Pattern ALIAS = Pattern.compile("policies/([^/@]+)@(live|latest)");

    private PolicyNames() {
    }

    /** Validates a bare policy id (as given to CreatePolicy). */
    public static String requireValidId(String id, String field) {
        if (id == null || !POLICY_ID.matcher(id).matches()) {
            throw RegistryException.invalidField(ErrorReason.INVALID_POLICY_ID, field,
                    "must be a lower-case slug of 2-63 characters: letters, digits and single hyphens, starting with "
                            + "a letter (got '" + id + "')");
        }
        return id;
    }

    /** The policy id of {@code policies/{policy}}. */
    public static String policyId(String name, String field) {
        Matcher m = POLICY.matcher(nullToEmpty(name));
        if (!m.matches()) {
            throw invalidName(field, name, "policies/{policy}");
        }
        return requireValidId(m.group(1), field);
    }

    /** The policy id of {@code policies/{policy}/draft}. */
    public static String draftPolicyId(String name, String field) {
        Matcher m = DRAFT.matcher(nullToEmpty(name));
        if (!m.matches()) {
            throw invalidName(field, name, "policies/{policy}/draft");
        }
        return requireValidId(m.group(1), field);
    }

    /** Parses {@code policies/{policy}/versions/{version}}. */
    public static PolicyReference.Version versionName(String name, String field) {
        Matcher m = VERSION.matcher(nullToEmpty(name));
        if (!m.matches()) {
            throw invalidName(field, name, "policies/{policy}/versions/{version}");
        }
        return new PolicyReference.Version(requireValidId(m.group(1), field), parseVersion(m.group(2), field, name));
    }

    /**
     * Parses a reference: a version name, {@code @live}, {@code @latest}, or (when {@code allowDraft}) a draft name.
     */
    public static PolicyReference reference(String reference, String field, boolean allowDraft) {
        String value = nullToEmpty(reference);
        Matcher version = VERSION.matcher(value);
        if (version.matches()) {
            return new PolicyReference.Version(requireValidId(version.group(1), field),
                    parseVersion(version.group(2), field, value));
        }
        Matcher alias = ALIAS.matcher(value);
        if (alias.matches()) {
            String id = requireValidId(alias.group(1), field);
            return alias.group(2).equals("live") ? new PolicyReference.Live(id) : new PolicyReference.Latest(id);
        }
        Matcher draft = DRAFT.matcher(value);
        if (allowDraft && draft.matches()) {
            return new PolicyReference.Draft(requireValidId(draft.group(1), field));
        }
        String forms = "policies/{policy}/versions/{version}, policies/{policy}@live or policies/{policy}@latest"
                + (allowDraft ? " or policies/{policy}/draft" : "");
        throw RegistryException.invalidField(ErrorReason.INVALID_REFERENCE, field,
                "'" + value + "' is not a policy reference; expected " + forms);
    }

    public static String policyName(String policyId) {
        return "policies/" + policyId;
    }

    public static String versionName(String policyId, long version) {
        return "policies/" + policyId + "/versions/" + version;
    }

    public static String draftName(String policyId) {
        return "policies/" + policyId + "/draft";
    }

    public static String deploymentName(String policyId, long seq) {
        return "policies/" + policyId + "/deployments/" + seq;
    }

    private static int parseVersion(String digits, String field, String name) {
        int version = Integer.parseInt(digits);
        if (version < 1) {
            throw RegistryException.invalidField(ErrorReason.INVALID_REFERENCE, field,
                    "versions are numbered from 1 (got '" + name + "')");
        }
        return version;
    }

    private static RegistryException invalidName(String field, String name, String form) {
        return RegistryException.invalidField(ErrorReason.INVALID_REFERENCE, field,
                "'" + nullToEmpty(name) + "' is not of the form " + form);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
