package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.EXCLUDES;
import static io.copeplatform.registry.lint.CopePolicyStructure.INCLUDES;

import java.util.ArrayList;
import java.util.List;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * An Includes or Excludes heading with nothing under it before the next heading: the structure is there but the
 * boundary of the criterion is not. One instance checks Includes ({@code empty-includes}), one Excludes
 * ({@code empty-excludes}).
 */
final class EmptyCriterionPartRule implements LintRule {

    static final String INCLUDES_ID = "empty-includes";
    static final String EXCLUDES_ID = "empty-excludes";

    private final String part;
    private final String id;

    private EmptyCriterionPartRule(String part, String id) {
        this.part = part;
        this.id = id;
    }

    static EmptyCriterionPartRule includes() {
        return new EmptyCriterionPartRule(INCLUDES, INCLUDES_ID);
    }

    static EmptyCriterionPartRule excludes() {
        return new EmptyCriterionPartRule(EXCLUDES, EXCLUDES_ID);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public LintSeverity severity() {
        return LintSeverity.WARNING;
    }

    @Override
    public String description() {
        return "A criterion's \"#### " + part + "\" has no list items or text before the next heading.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (Section criterion : CopePolicyStructure.criteria(document)) {
            for (Section section : CopePolicyStructure.criterionParts(document, criterion, part)) {
                if (!document.hasContent(section.heading().line() + 1, section.lastOwnLine())) {
                    findings.add(new LintFinding(id, severity(),
                            "\"#### " + part + "\" of criterion \"" + criterion.title() + "\" is empty. List "
                                    + (part.equals(INCLUDES)
                                            ? "the content the label covers"
                                            : "content that resembles the label but does not meet it")
                                    + ", one case per list item.",
                            section.heading().span()));
                }
            }
        }
        return findings;
    }
}
