package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.REQUIRED_SECTIONS;
import static io.copeplatform.registry.lint.CopePolicyStructure.SECTION_LEVEL;
import static io.copeplatform.registry.lint.CopePolicyStructure.headingMarkdown;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.copeplatform.registry.lint.PolicyDocument.Heading;

/**
 * CoPE was trained on policies with four level-2 sections; without one of them the model meets a structure it has not
 * seen. When the section exists at the wrong heading level the finding points at it and says which level to use.
 */
final class MissingSectionRule implements LintRule {

    static final String ID = "structure-missing-section";

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
        return "The policy needs the level-2 sections ## Overview, ## Definition of Terms, "
                + "## Interpretation of Language and ## Definition of Labels (the CoPE policy structure).";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (String title : REQUIRED_SECTIONS) {
            if (document.section(SECTION_LEVEL, title).isPresent()) {
                continue;
            }
            String wanted = PolicyDocument.normaliseTitle(title);
            Optional<Heading> misplaced = document.headings().stream()
                    .filter(heading -> PolicyDocument.normaliseTitle(heading.text()).equals(wanted)).findFirst();
            if (misplaced.isPresent()) {
                Heading heading = misplaced.get();
                findings.add(new LintFinding(ID, severity(),
                        "Section \"" + title + "\" is a level-" + heading.level()
                                + " heading; CoPE policies need it as a level-2 heading. Write it as \""
                                + headingMarkdown(SECTION_LEVEL, title) + "\".",
                        heading.span()));
            } else {
                findings.add(new LintFinding(ID, severity(),
                        "Missing section \"" + headingMarkdown(SECTION_LEVEL, title) + "\". Add it; the CoPE policy "
                                + "structure is ## Overview, ## Definition of Terms, ## Interpretation of Language, "
                                + "## Definition of Labels, in that order.",
                        TextSpan.documentStart()));
            }
        }
        return findings;
    }
}
