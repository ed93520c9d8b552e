package io.copeplatform.registry.lint;

import java.util.Objects;

/**
 * One problem the linter found in a policy. The message says what is wrong and how to fix it, because it is shown to
 * policy authors in the editor and in publish refusals.
 *
 * @param ruleId
 *            the stable kebab-case id of the rule that produced the finding, e.g. {@code hedge-wording}
 * @param severity
 *            how much the finding matters; ERROR findings block publishing
 * @param message
 *            what is wrong and how to fix it
 * @param span
 *            where the finding sits in the policy text
 */
public record LintFinding(String ruleId, LintSeverity severity, String message, TextSpan span) {

    /** Rejects missing values: every finding names its rule, severity, message and position. */
    public LintFinding {
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(span, "span");
    }
}
