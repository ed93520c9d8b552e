package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.labelsSection;

import java.util.List;
import java.util.Optional;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * CoPE answers whether content meets ANY of the policy's labels, so a policy without a labelled criterion can never
 * match anything. A missing Definition of Labels section is left to the missing-section rule.
 */
final class MissingCriterionRule implements LintRule {

    static final String ID = "structure-missing-criterion";

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
        return "Definition of Labels has no labelled criterion heading \"### (CODE): Name\".";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        Optional<Section> labels = labelsSection(document);
        if (labels.isEmpty() || !CopePolicyStructure.criteria(document).isEmpty()) {
            return List.of();
        }
        return List.of(new LintFinding(ID, severity(),
                "Definition of Labels has no labelled criterion. Add at least one level-3 heading of the form "
                        + "\"### (CODE): Name\", e.g. \"### (HS1): Direct attacks\", with \"#### Includes\" and "
                        + "\"#### Excludes\" under it.",
                labels.get().heading().span()));
    }
}
