package io.copeplatform.registry.lint;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.copeplatform.registry.lint.PolicyDocument.Heading;
import io.copeplatform.registry.lint.PolicyDocument.Section;

/**
 * Every level-3 heading under Definition of Labels is read as a criterion, and a criterion needs a code (the label CoPE
 * decides on) in the form {@code (CODE): Name}. The message proposes a corrected heading when the intent is clear.
 */
final class MalformedCriterionRule implements LintRule {

    static final String ID = "structure-malformed-criterion";

    private static final Pattern PARENTHESISED = Pattern.compile("^\\(([^)]*)\\)[ \\t]*[:.\\-\u2013]?[ \\t]*(.*)$");
    private static final Pattern BARE_CODE = Pattern
            .compile("^([A-Za-z]+\\d+[A-Za-z0-9]*)[ \\t]*[:.\\-\u2013]?[ \\t]*(\\S.*)$");
    private static final Pattern NOT_CODE_CHARACTER = Pattern.compile("[^A-Za-z0-9]");

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
        return "A level-3 heading under Definition of Labels does not read \"### (CODE): Name\" "
                + "(CODE in upper-case letters and digits).";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        return CopePolicyStructure.criterionCandidates(document).stream()
                .map(Section::heading)
                .filter(heading -> CopePolicyStructure.criterionCode(heading).isEmpty())
                .map(heading -> new LintFinding(ID, severity(), message(heading), heading.span()))
                .toList();
    }

    private static String message(Heading heading) {
        return "Criterion heading \"### " + heading.text() + "\" does not read \"### (CODE): Name\". "
                + "Give it a code of upper-case letters and digits, e.g. \"### " + suggestion(heading.text()) + "\".";
    }

    /** Turns {@code (hs1) Direct attacks} or {@code HS1 - Direct attacks} into {@code (HS1): Direct attacks}. */
    private static String suggestion(String text) {
        Matcher parenthesised = PARENTHESISED.matcher(text);
        if (parenthesised.matches()) {
            String code = NOT_CODE_CHARACTER.matcher(parenthesised.group(1)).replaceAll("").toUpperCase(Locale.ROOT);
            return "(" + (code.isEmpty() ? "C1" : code) + "): "
                    + (parenthesised.group(2).isBlank() ? "Name" : parenthesised.group(2).strip());
        }
        Matcher bareCode = BARE_CODE.matcher(text);
        if (bareCode.matches()) {
            return "(" + bareCode.group(1).toUpperCase(Locale.ROOT) + "): " + bareCode.group(2);
        }
        return "(C1): " + (text.isBlank() ? "Name" : text);
    }
}
