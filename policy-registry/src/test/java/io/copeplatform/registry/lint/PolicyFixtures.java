package io.copeplatform.registry.lint;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Policy texts for the lint tests: one clean policy that every rule accepts, to be broken one rule at a time. */
final class PolicyFixtures {

    /** A short policy in the full CoPE structure without any finding, INFO included. */
    static final String GOOD_POLICY = """
            # Hate Speech Policy

            ## Overview

            This policy covers content that attacks people because of a **protected attribute**.

            ## Definition of Terms

            - **Protected attribute**: race, ethnicity, religion, sex, gender identity, sexual orientation or disability.
            - **Slur**: a word that insults people because of a **protected attribute**.

            ## Interpretation of Language

            - Coded spellings count as the words they stand for.
            - An attack that the content quotes and condemns meets no label.

            ## Definition of Labels

            ### (HS1): Direct attacks

            #### Includes

            - Content that calls people with a **protected attribute** inferior or dangerous.
            - Content that uses a **slur** about a person or a group.

            #### Excludes

            - Criticism of a religion's teachings that does not attack its followers.

            ### (HS2): Calls for exclusion

            #### Includes

            - Calls to expel or segregate people because of a **protected attribute**.

            #### Excludes

            - News reports that describe such calls without endorsing them.
            """;

    private PolicyFixtures() {
    }

    /** {@code GOOD_POLICY} with the first occurrence of {@code target} replaced; fails if it does not occur. */
    static String goodPolicyWith(String target, String replacement) {
        if (!GOOD_POLICY.contains(target)) {
            throw new IllegalArgumentException("Not in the good policy: " + target);
        }
        return GOOD_POLICY.replaceFirst(Pattern.quote(target), Matcher.quoteReplacement(replacement));
    }

    /** {@code GOOD_POLICY} with {@code sentence} added as a paragraph at the end of the Overview. */
    static String goodPolicyWithOverviewSentence(String sentence) {
        return goodPolicyWith("because of a **protected attribute**.\n\n## Definition of Terms",
                "because of a **protected attribute**.\n\n" + sentence + "\n\n## Definition of Terms");
    }

    /** The 1-based line of the first line of {@code text} that contains {@code fragment}; fails if none does. */
    static int lineOf(String text, String fragment) {
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(fragment)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("No line contains " + fragment);
    }
}
