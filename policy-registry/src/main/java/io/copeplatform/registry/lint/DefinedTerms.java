package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.CopePolicyStructure.DEFINITION_OF_TERMS;
import static io.copeplatform.registry.lint.CopePolicyStructure.SECTION_LEVEL;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import io.copeplatform.registry.lint.PolicyDocument.BoldTerm;
import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * The terms a policy defines, and how to recognise a use of one. A definition is a bold term that opens a list item or
 * paragraph in Definition of Terms ({@code - **Protected attribute**: ...}); further bold terms before the first colon
 * of that line are aliases ({@code - **Slur** or **epithet**: ...}). Criterion codes and names count as defined, so
 * that {@code **HS1**} or {@code **Direct attacks**} may refer to a criterion. Terms compare case-insensitively, with
 * whitespace collapsed, surrounding punctuation ignored and simple plurals tolerated ({@code -s}, {@code -es},
 * {@code -ies}/{@code -y}).
 */
final class DefinedTerms {

    private static final Pattern EDGE_PUNCTUATION = Pattern.compile("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}]+$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /**
     * A term defined under Definition of Terms.
     *
     * @param term
     *            the normalised term
     * @param bold
     *            the bold text that defines it
     */
    record Definition(String term, BoldTerm bold) {
    }

    private final List<Definition> definitions;
    private final Set<BoldTerm> definingBolds;
    private final Set<String> knownForms;

    private DefinedTerms(List<Definition> definitions, Set<BoldTerm> definingBolds, Set<String> knownForms) {
        this.definitions = List.copyOf(definitions);
        this.definingBolds = definingBolds;
        this.knownForms = knownForms;
    }

    static DefinedTerms of(PolicyDocument document) {
        List<Definition> definitions = new ArrayList<>();
        Set<BoldTerm> definingBolds = Collections.newSetFromMap(new IdentityHashMap<>());
        Optional<Section> termsSection = document.section(SECTION_LEVEL, DEFINITION_OF_TERMS);
        if (termsSection.isPresent()) {
            Section section = termsSection.get();
            BoldTerm lineDefinition = null;
            for (BoldTerm bold : document.boldTerms()) {
                if (!section.contains(bold.line()) || bold.line() == section.heading().line()) {
                    continue;
                }
                boolean definesTerm = bold.leadsBlock();
                if (!definesTerm && lineDefinition != null && lineDefinition.line() == bold.line()) {
                    int colon = document.line(bold.line()).indexOf(':', lineDefinition.span().endColumn() - 1);
                    definesTerm = colon >= 0 && bold.span().startColumn() - 1 < colon;
                }
                if (bold.leadsBlock()) {
                    lineDefinition = bold;
                }
                String term = normalise(bold.text());
                if (definesTerm && !term.isEmpty()) {
                    definitions.add(new Definition(term, bold));
                    definingBolds.add(bold);
                }
            }
        }
        Set<String> knownForms = new HashSet<>();
        definitions.forEach(definition -> knownForms.addAll(forms(definition.term())));
        for (Section criterion : CopePolicyStructure.criteria(document)) {
            CopePolicyStructure.criterionCode(criterion.heading()).ifPresent(code -> knownForms.add(normalise(code)));
            knownForms.addAll(forms(normalise(criterion.title().substring(criterion.title().indexOf(':') + 1))));
        }
        return new DefinedTerms(definitions, definingBolds, knownForms);
    }

    /** The definitions in document order. */
    List<Definition> definitions() {
        return definitions;
    }

    /** Whether {@code bold} is itself a definition (and therefore not a use of a term). */
    boolean isDefinition(BoldTerm bold) {
        return definingBolds.contains(bold);
    }

    /** Whether {@code term} (as written) names a defined term or a criterion. */
    boolean defines(String term) {
        return forms(normalise(term)).stream().anyMatch(knownForms::contains);
    }

    /**
     * Lower case, single spaces, no punctuation around it: {@code "Protected  Attributes:"} -> "protected attributes".
     */
    static String normalise(String term) {
        String stripped = EDGE_PUNCTUATION.matcher(term.strip()).replaceAll("");
        return WHITESPACE.matcher(stripped).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    /** The term and the singulars it may be the plural of: "parties" -> parties, partie, party. */
    static Set<String> forms(String term) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(term);
        if (term.endsWith("ies") && term.length() > 4) {
            forms.add(term.substring(0, term.length() - 3) + "y");
        }
        if (term.endsWith("es") && term.length() > 3) {
            forms.add(term.substring(0, term.length() - 2));
        }
        if (term.endsWith("s") && term.length() > 2) {
            forms.add(term.substring(0, term.length() - 1));
        }
        return forms;
    }
}
