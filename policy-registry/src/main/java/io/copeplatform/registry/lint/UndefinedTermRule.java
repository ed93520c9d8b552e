package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.List;

import io.copeplatform.registry.lint.PolicyDocument.BoldTerm;

/**
 * CoPE policies bold a term to say "this word has the meaning given in Definition of Terms". A bold term with no
 * definition sends the model looking for a meaning that is not there, so each such use is reported where it occurs.
 */
final class UndefinedTermRule implements LintRule {

    static final String ID = "undefined-term";

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
        return "A **bold** term is used but not defined in Definition of Terms (bold marks defined terms in a "
                + "CoPE policy).";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        DefinedTerms terms = DefinedTerms.of(document);
        List<LintFinding> findings = new ArrayList<>();
        for (BoldTerm bold : document.boldTerms()) {
            String term = DefinedTerms.normalise(bold.text());
            if (term.isEmpty() || terms.isDefinition(bold) || terms.defines(bold.text())) {
                continue;
            }
            findings.add(new LintFinding(ID, severity(),
                    "Bold term \"" + bold.text() + "\" is not defined in Definition of Terms. Define it there as "
                            + "\"- **" + bold.text() + "**: ...\", or remove the bold (use *italics* for emphasis).",
                    bold.span()));
        }
        return findings;
    }
}
