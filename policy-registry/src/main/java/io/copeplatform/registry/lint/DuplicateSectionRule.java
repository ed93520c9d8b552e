package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.REQUIRED_SECTIONS;
import static io.copeplatform.registry.lint.CopePolicyStructure.SECTION_LEVEL;

import java.util.ArrayList;
import java.util.List;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * A CoPE section written twice splits its content, and the linter (like a reader) only treats the first one as the
 * section; the repeats are reported so that they can be merged.
 */
final class DuplicateSectionRule implements LintRule {

    static final String ID = "structure-duplicate-section";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public LintSeverity severity() {
        return LintSeverity.WARNING;
    }

    @Override
    public String description() {
        return "A CoPE section (Overview, Definition of Terms, Interpretation of Language, Definition of Labels) "
                + "appears more than once.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (String title : REQUIRED_SECTIONS) {
            List<Section> occurrences = document.sections(SECTION_LEVEL, title);
            for (Section repeat : occurrences.subList(Math.min(1, occurrences.size()), occurrences.size())) {
                findings.add(new LintFinding(ID, severity(),
                        "Section \"" + title + "\" appears again (first on line " + occurrences.get(0).heading().line()
                                + "). Merge its content into the first \"" + title + "\" section.",
                        repeat.heading().span()));
            }
        }
        return findings;
    }
}
