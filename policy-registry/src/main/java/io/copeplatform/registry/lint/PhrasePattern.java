package io.copeplatform.registry.lint;

import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds the patterns the wording rules search with: any of a list of phrases, case-insensitive, as whole words, with
 * the words of a phrase separated by blanks or by one line break (policies are often hard-wrapped).
 */
final class PhrasePattern {

    /** Blanks, or one line break with optional blanks around it. */
    static final String WORD_GAP = "(?:[ \\t]+|[ \\t]*\\n[ \\t]*)";

    private static final String WORD_START = "(?<![\\p{L}\\p{N}_])";
    private static final String WORD_END = "(?![\\p{L}\\p{N}_])";

    private PhrasePattern() {
    }

    /** A pattern matching any of {@code phrases}; longer phrases win where two start at the same place. */
    static Pattern anyOf(List<String> phrases) {
        String alternatives = phrases.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(phrase -> List.of(phrase.strip().split("\\s+")).stream().map(Pattern::quote)
                        .collect(Collectors.joining(WORD_GAP)))
                .collect(Collectors.joining("|"));
        return Pattern.compile(WORD_START + "(?:" + alternatives + ")" + WORD_END,
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** The matched phrase with its line break or repeated blanks collapsed to single spaces, for messages. */
    static String asWritten(String matched) {
        return matched.strip().replaceAll("\\s+", " ");
    }
}
