package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.REQUIRED_SECTIONS;
import static io.copeplatform.registry.lint.CopePolicyStructure.SECTION_LEVEL;

import java.util.ArrayList;
import java.util.List;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * The CoPE sections build on each other (terms are defined before the labels use them), and the model was trained on
 * that order; a section that comes after one it should precede is reported at its heading.
 */
final class SectionOrderRule implements LintRule {

    static final String ID = "structure-section-order";

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
        return "The CoPE sections appear out of order; the order is Overview, Definition of Terms, "
                + "Interpretation of Language, Definition of Labels.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        int furthestIndex = -1;
        String furthestTitle = null;
        for (Section section : document.sections(SECTION_LEVEL)) {
            int index = requiredIndex(section.title());
            if (index < 0 || isRepeat(document, section)) {
                continue;
            }
            if (index < furthestIndex) {
                findings.add(new LintFinding(ID, severity(),
                        "Section \"" + REQUIRED_SECTIONS.get(index) + "\" comes after \"" + furthestTitle
                                + "\". Move it before \"" + furthestTitle
                                + "\"; the CoPE order is Overview, Definition of Terms, Interpretation of Language, "
                                + "Definition of Labels.",
                        section.heading().span()));
            } else {
                furthestIndex = index;
                furthestTitle = REQUIRED_SECTIONS.get(index);
            }
        }
        return findings;
    }

    private static int requiredIndex(String title) {
        String normalised = PolicyDocument.normaliseTitle(title);
        for (int i = 0; i < REQUIRED_SECTIONS.size(); i++) {
            if (PolicyDocument.normaliseTitle(REQUIRED_SECTIONS.get(i)).equals(normalised)) {
                return i;
            }
        }
        return -1;
    }

    /** Repeated sections are the duplicate-section rule's concern; only first occurrences are ordered. */
    private static boolean isRepeat(PolicyDocument document, Section section) {
        return !document.section(SECTION_LEVEL, section.title()).orElseThrow().equals(section);
    }
}
