package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.CRITERION_PART_LEVEL;
import static io.copeplatform.registry.lint.CopePolicyStructure.EXCLUDES;
import static io.copeplatform.registry.lint.CopePolicyStructure.INCLUDES;
import static io.copeplatform.registry.lint.CopePolicyStructure.headingMarkdown;

import java.util.ArrayList;
import java.util.List;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * CoPE was trained on criteria that say both what they cover and what they do not; a criterion without Includes or
 * Excludes leaves the model to guess one side of the boundary.
 */
final class MissingIncludesExcludesRule implements LintRule {

    static final String ID = "structure-missing-includes-excludes";

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
        return "A criterion lacks its \"#### Includes\" or \"#### Excludes\" sub-heading.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (Section criterion : CopePolicyStructure.criteria(document)) {
            for (String part : List.of(INCLUDES, EXCLUDES)) {
                if (CopePolicyStructure.criterionParts(document, criterion, part).isEmpty()) {
                    findings.add(new LintFinding(ID, severity(),
                            "Criterion \"" + criterion.title() + "\" has no \""
                                    + headingMarkdown(CRITERION_PART_LEVEL, part) + "\" sub-heading. Add it under the "
                                    + "criterion and list what " + (part.equals(INCLUDES)
                                            ? "the label covers."
                                            : "the label does not cover, even though it looks similar."),
                            criterion.heading().span()));
                }
            }
        }
        return findings;
    }
}
