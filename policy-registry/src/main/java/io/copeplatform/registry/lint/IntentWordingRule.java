package io.copeplatform.registry.lint;

import java.util.List;
import java.util.regex.Pattern;

/**
 * CoPE sees only the content, never its author, so a criterion that turns on what the author intended ("intended to",
 * "designed to", "in order to") cannot be applied consistently. Criteria should describe what the content says or does.
 * Quoted example content is not checked.
 */
final class IntentWordingRule implements LintRule {

    static final String ID = "intent-wording";

    /** The phrases reported; {@code aims to} and {@code aim to} cover the verb, not the noun "aim". */
    static final List<String> PHRASES = List.of("intended to", "intended for", "intends to", "designed to",
            "in order to", "meant to", "aims to", "aim to", "with the intent", "with the intention",
            "with the goal of");

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
        return "Intent-based wording (\"intended to\", \"designed to\", \"in order to\", \"meant to\", \"aims to\"): "
                + "CoPE judges what content is and does, not what its author meant.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        return document.findInProse(PATTERN).stream()
                .map(match -> new LintFinding(ID, severity(), message(PhrasePattern.asWritten(match.text())),
                        match.span()))
                .toList();
    }

    private static String message(String phrase) {
        return "\"" + phrase + "\" makes the label depend on the author's intent, which CoPE cannot see. "
                + "Describe what the content observably says or does instead, e.g. \"content that threatens "
                + "violence\" rather than \"content intended to intimidate\".";
    }
}
