package io.copeplatform.registry.lint;

import java.util.List;

/** A blank policy gives CoPE nothing to apply; it is reported alone, since every other rule would only repeat it. */
final class EmptyPolicyRule implements LintRule {

    static final String ID = "empty-policy";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public LintSeverity severity() {
        return LintSeverity.ERROR;
    }

    @Override
    public String description() {
        return "The policy text is empty or blank, so CoPE has no criteria to apply.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        if (!document.isBlank()) {
            return List.of();
        }
        return List.of(new LintFinding(ID, severity(),
                "The policy is empty. Write it in the CoPE structure: ## Overview, ## Definition of Terms, "
                        + "## Interpretation of Language and ## Definition of Labels with at least one "
                        + "### (CODE): Name criterion.",
                TextSpan.documentStart()));
    }
}
