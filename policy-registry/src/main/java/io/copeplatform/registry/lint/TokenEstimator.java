package io.copeplatform.registry.lint;

/**
 * A conservative estimate of how many tokens a text takes in CoPE's tokenizer (Gemma's 256k SentencePiece vocabulary),
 * for checking a policy against the context budget without loading a tokenizer. The estimate is the larger of two
 * counts, each of which over-estimates a different kind of text:
 * <ul>
 * <li>by characters: one token per 4 ASCII characters plus one token per non-ASCII code point (scripts such as CJK,
 * where a character is close to a token and a character count per 4 would under-count badly);</li>
 * <li>by words: 1.3 tokens per word (a run of letters and digits) plus one token per run of other symbols ({@code **},
 * {@code ###}, {@code (}, {@code ):}), since markdown punctuation is rarely merged with words.</li>
 * </ul>
 * For English policy markdown this lands some 10-30% above the real count, so the budget warning comes early rather
 * than late. It is an estimate: the inference service counts real tokens when it builds the prompt.
 */
public final class TokenEstimator {

    private static final double ASCII_CHARACTERS_PER_TOKEN = 4.0;
    private static final double TOKENS_PER_WORD = 1.3;

    private TokenEstimator() {
    }

    /** The estimated token count of {@code text}; 0 for an empty text. */
    public static int estimate(CharSequence text) {
        long asciiCharacters = 0;
        long otherCodePoints = 0;
        long words = 0;
        long symbolRuns = 0;
        int previousKind = 0;
        String string = text.toString();
        for (int i = 0; i < string.length();) {
            int codePoint = string.codePointAt(i);
            i += Character.charCount(codePoint);
            if (codePoint < 0x80) {
                asciiCharacters++;
            } else {
                otherCodePoints++;
            }
            int kind = Character.isLetterOrDigit(codePoint) ? 1 : Character.isWhitespace(codePoint) ? 0 : 2;
            if (kind == 1 && previousKind != 1) {
                words++;
            } else if (kind == 2 && previousKind != 2) {
                symbolRuns++;
            }
            previousKind = kind;
        }
        double byCharacters = asciiCharacters / ASCII_CHARACTERS_PER_TOKEN + otherCodePoints;
        double byWords = words * TOKENS_PER_WORD + symbolRuns;
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(Math.max(byCharacters, byWords)));
    }
}
