package io.copeplatform.registry.lint;

import java.util.List;

/**
 * One check of a policy. Rules are small and independent so that each can be tested on its own and listed in the rule
 * catalog the registry serves; they share the parsing done once by {@link PolicyDocument}.
 */
public interface LintRule {

    /** The stable kebab-case id clients filter and suppress findings by, e.g. {@code hedge-wording}. */
    String id();

    /** The severity of the rule's findings; a rule whose findings vary in severity reports its most severe one. */
    LintSeverity severity();

    /** One sentence for the rule catalog: what the rule checks and why it matters to CoPE. */
    String description();

    /** Checks {@code document} and returns the findings, in any order; never null. */
    List<LintFinding> check(PolicyDocument document, LintSettings settings);
}
