package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.copeplatform.registry.lint.DefinedTerms.Definition;

/**
 * A definition nothing refers to costs context tokens and invites the model to apply a concept the labels never use. A
 * use is any whole-word occurrence of the term (bold or not, any simple plural) outside quoted example content and
 * outside the definition's own line.
 */
final class UnusedTermRule implements LintRule {

    static final String ID = "unused-term";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public LintSeverity severity() {
        return LintSeverity.INFO;
    }

    @Override
    public String description() {
        return "A term is defined in Definition of Terms but never used elsewhere in the policy.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<LintFinding> findings = new ArrayList<>();
        for (Definition definition : DefinedTerms.of(document).definitions()) {
            int definitionLine = definition.bold().line();
            boolean used = document.findInProse(usePattern(definition.term())).stream()
                    .anyMatch(match -> match.span().startLine() != definitionLine);
            if (!used) {
                findings.add(new LintFinding(ID, severity(),
                        "Term \"" + definition.bold().text() + "\" is defined but not used elsewhere in the policy. "
                                + "Use it in a criterion, or remove the definition to save context tokens.",
                        definition.bold().span()));
            }
        }
        return findings;
    }

    private static Pattern usePattern(String term) {
        String alternatives = DefinedTerms.forms(term).stream()
                .flatMap(form -> form.endsWith("y")
                        ? Stream.of(form, form.substring(0, form.length() - 1) + "ies")
                        : Stream.of(form))
                .map(form -> Pattern.quote(form).replace(" ", "\\E\\s+\\Q"))
                .collect(Collectors.joining("|"));
        return Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + alternatives + ")(?:s|es)?(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }
}
