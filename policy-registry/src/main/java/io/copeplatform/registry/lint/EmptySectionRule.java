package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.DEFINITION_OF_TERMS;
import static io.copeplatform.registry.lint.CopePolicyStructure.INTERPRETATION_OF_LANGUAGE;
import static io.copeplatform.registry.lint.CopePolicyStructure.OVERVIEW;
import static io.copeplatform.registry.lint.CopePolicyStructure.SECTION_LEVEL;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * A heading with nothing under it satisfies the structure rules but gives CoPE no guidance. Definition of Labels is not
 * checked here: an empty one is already a missing criterion.
 */
final class EmptySectionRule implements LintRule {

    static final String ID = "structure-empty-section";

    private static final List<String> PROSE_SECTIONS = List.of(OVERVIEW, DEFINITION_OF_TERMS,
            INTERPRETATION_OF_LANGUAGE);

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
        return "Overview, Definition of Terms or Interpretation of Language has a heading but no content.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (String title : PROSE_SECTIONS) {
            Optional<Section> section = document.section(SECTION_LEVEL, title);
            if (section.isPresent() && !document.hasContent(section.get().heading().line() + 1,
                    section.get().lastLine())) {
                findings.add(new LintFinding(ID, severity(),
                        "Section \"" + title + "\" is empty. " + guidance(title), section.get().heading().span()));
            }
        }
        return findings;
    }

    private static String guidance(String title) {
        return switch (title) {
            case OVERVIEW -> "Say in a few sentences what the policy covers and what it leaves out.";
            case DEFINITION_OF_TERMS -> "Define each bold term the policy uses, one per list item: "
                    + "\"- **Term**: definition\".";
            default -> "Say how to read the content: literal versus figurative language, quotes, slang, "
                    + "and whose perspective counts.";
        };
    }
}
