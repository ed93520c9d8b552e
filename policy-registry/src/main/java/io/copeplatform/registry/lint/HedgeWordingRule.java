package io.copeplatform.registry.lint;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A hedge ("generally", "usually", "may be") tells CoPE that a rule has unstated exceptions, and the model then decides
 * case by case where they are; the same content can get different labels. Exceptions belong in Excludes. Quoted example
 * content is not checked.
 */
final class HedgeWordingRule implements LintRule {

    static final String ID = "hedge-wording";

    static final List<String> PHRASES = List.of("generally", "in general", "usually", "often", "may be", "maybe",
            "might", "typically", "sometimes", "in most cases", "in some cases", "normally", "mostly", "probably",
            "possibly", "tends to", "tend to", "arguably", "somewhat", "to some extent", "more or less");

    private static final Pattern PATTERN = PhrasePattern.anyOf(PHRASES);

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
        return "Hedges (\"generally\", \"usually\", \"often\", \"may be\", \"might\", \"typically\", \"sometimes\", "
                + "\"in most cases\", ...) leave the model to guess where a rule stops applying.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        return document.findInProse(PATTERN).stream()
                .map(match -> new LintFinding(ID, severity(), message(PhrasePattern.asWritten(match.text())),
                        match.span()))
                .toList();
    }

    private static String message(String phrase) {
        return "\"" + phrase + "\" is a hedge: CoPE applies each criterion as written and cannot tell when the rule "
                + "does not hold. State the rule without \"" + phrase + "\", and list the exceptions under "
                + "\"#### Excludes\".";
    }
}
