package io.copeplatform.registry.lint;

import static io.copeplatform.registry.lint.PolicyFixtures.GOOD_POLICY;
import static io.copeplatform.registry.lint.PolicyFixtures.goodPolicyWith;
import static io.copeplatform.registry.lint.PolicyFixtures.goodPolicyWithOverviewSentence;
import static io.copeplatform.registry.lint.PolicyFixtures.lineOf;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class PolicyLinterTest {

    private static final PolicyLinter LINTER = new PolicyLinter(LintSettings.defaults());

    private static List<LintFinding> lint(String text) {
        return LINTER.lint(text);
    }

    private static List<LintFinding> findings(String text, String ruleId) {
        return lint(text).stream().filter(finding -> finding.ruleId().equals(ruleId)).toList();
    }

    private static List<String> ruleIds(String text) {
        return lint(text).stream().map(LintFinding::ruleId).toList();
    }

    /** The span of the first occurrence of {@code phrase} on the 1-based line {@code line} of {@code text}. */
    private static TextSpan spanOf(String text, int line, String phrase) {
        String lineText = text.split("\\R", -1)[line - 1];
        int column = lineText.indexOf(phrase) + 1;
        assertTrue(column > 0, () -> "\"" + phrase + "\" not on line " + line);
        return new TextSpan(line, column, line, column + phrase.length());
    }

    @Test
    void goodPolicyHasNoFindingsAtAll() {
        assertEquals(List.of(), lint(GOOD_POLICY));
    }

    @Test
    void goodPolicyWithWindowsOrOldMacLineBreaksHasNoFindings() {
        assertEquals(List.of(), lint(GOOD_POLICY.replace("\n", "\r\n")));
        assertEquals(List.of(), lint(GOOD_POLICY.replace("\n", "\r")));
        assertEquals(List.of(), lint("\uFEFF" + GOOD_POLICY));
    }

    @Test
    void catalogListsEveryRuleOnceWithKebabCaseIdAndDescription() {
        List<LintRule> rules = PolicyLinter.rules();
        Set<String> ids = new HashSet<>();
        for (LintRule rule : rules) {
            assertTrue(ids.add(rule.id()), "duplicate id " + rule.id());
            assertTrue(rule.id().matches("[a-z]+(-[a-z]+)*"), "not kebab-case: " + rule.id());
            assertFalse(rule.description().isBlank(), "no description: " + rule.id());
        }
        assertTrue(ids.containsAll(List.of("empty-policy", "structure-missing-section", "structure-section-order",
                "structure-missing-criterion", "structure-malformed-criterion", "structure-missing-includes-excludes",
                "empty-includes", "empty-excludes", "undefined-term", "intent-wording", "hedge-wording",
                "output-instruction", "token-budget")), ids.toString());
    }

    @Test
    void linterRejectsTwoRulesWithTheSameId() {
        List<LintRule> twice = List.of(new HedgeWordingRule(), new HedgeWordingRule());
        assertThrows(IllegalArgumentException.class, () -> new PolicyLinter(LintSettings.defaults(), twice));
    }

    @Test
    void linterRunsOnlyTheRulesItIsGiven() {
        PolicyLinter hedgesOnly = new PolicyLinter(LintSettings.defaults(), List.of(new HedgeWordingRule()));
        List<LintFinding> findings = hedgesOnly.lint("Spam is usually obvious. Content intended to sell.");
        assertEquals(List.of("hedge-wording"), findings.stream().map(LintFinding::ruleId).toList());
    }

    @Nested
    class FindingOrder {

        @Test
        void findingsAreSortedByLineThenColumnThenRuleId() {
            String sentence = "Spam is usually sent in order to sell, and it is often **unlabelled**.";
            String text = goodPolicyWithOverviewSentence(sentence).replace("## Interpretation of Language",
                    "## Reading");
            int line = lineOf(text, sentence);
            assertEquals(List.of(
                    "1:1 structure-missing-section",
                    line + ":" + (sentence.indexOf("usually") + 1) + " hedge-wording",
                    line + ":" + (sentence.indexOf("in order") + 1) + " intent-wording",
                    line + ":" + (sentence.indexOf("often") + 1) + " hedge-wording",
                    line + ":" + (sentence.indexOf("**unlabelled**") + 1) + " undefined-term"),
                    lint(text).stream()
                            .map(finding -> finding.span().startLine() + ":" + finding.span().startColumn() + " "
                                    + finding.ruleId())
                            .toList());
        }

        @Test
        void findingsAtTheSamePositionAreSortedByRuleId() {
            PolicyLinter tight = new PolicyLinter(new LintSettings(100, 20, 10));
            List<String> ids = tight.lint("word ".repeat(100)).stream().map(LintFinding::ruleId).toList();
            assertEquals(List.of("structure-missing-section", "structure-missing-section", "structure-missing-section",
                    "structure-missing-section", "token-budget"), ids);
        }
    }

    @Nested
    class EmptyPolicy {

        @Test
        void firesAloneOnEmptyOrBlankText() {
            for (String blank : List.of("", "   ", "\n\n\t\n", "\r\n")) {
                List<LintFinding> findings = lint(blank);
                assertEquals(1, findings.size(), () -> "for " + blank.length() + " blank chars: " + findings);
                assertEquals("empty-policy", findings.get(0).ruleId());
                assertEquals(LintSeverity.ERROR, findings.get(0).severity());
                assertEquals(TextSpan.documentStart(), findings.get(0).span());
            }
        }

        @Test
        void staysSilentOnAnyText() {
            assertEquals(List.of(), findings("Spam.", "empty-policy"));
        }

        @Test
        void rejectsNullText() {
            assertThrows(NullPointerException.class, () -> lint(null));
        }
    }

    @Nested
    class MissingSection {

        @Test
        void firesAtDocumentStartForEachMissingSection() {
            String text = goodPolicyWith("## Interpretation of Language", "## Reading the content");
            List<LintFinding> findings = lint(text);
            assertEquals(1, findings.size(), findings.toString());
            LintFinding finding = findings.get(0);
            assertEquals("structure-missing-section", finding.ruleId());
            assertEquals(LintSeverity.ERROR, finding.severity());
            assertEquals(TextSpan.documentStart(), finding.span());
            assertTrue(finding.message().contains("## Interpretation of Language"), finding.message());
        }

        @Test
        void firesForAllFourSectionsOfPlainText() {
            assertEquals(4, findings("Spam is not allowed.", "structure-missing-section").size());
        }

        @Test
        void pointsAtASectionWrittenAtTheWrongLevel() {
            String text = goodPolicyWith("## Overview", "### Overview");
            List<LintFinding> findings = findings(text, "structure-missing-section");
            assertEquals(1, findings.size());
            assertEquals(new TextSpan(3, 1, 3, 13), findings.get(0).span());
            assertTrue(findings.get(0).message().contains("level-3"), findings.get(0).message());
            assertTrue(findings.get(0).message().contains("\"## Overview\""), findings.get(0).message());
        }

        @Test
        void ignoresHeadingsInsideCodeBlocks() {
            String text = goodPolicyWith("## Overview\n", "```\n## Overview\n```\n");
            assertEquals(1, findings(text, "structure-missing-section").size());
        }

        @Test
        void staysSilentWhateverTheCaseAndDecorationOfTheHeadings() {
            String text = goodPolicyWith("## Overview", "## OVERVIEW ##")
                    .replace("## Definition of Terms", "## **Definition of  terms:**");
            assertEquals(List.of(), findings(text, "structure-missing-section"));
        }
    }

    @Nested
    class SectionOrder {

        private static final String OVERVIEW = "## Overview\n\nThis policy covers content that attacks people because "
                + "of a **protected attribute**.\n\n";

        @Test
        void firesAtASectionThatComesAfterOneItShouldPrecede() {
            String text = GOOD_POLICY.replace(OVERVIEW, "").replace("## Definition of Labels", OVERVIEW
                    + "## Definition of Labels");
            List<LintFinding> findings = findings(text, "structure-section-order");
            assertEquals(1, findings.size(), findings.toString());
            assertEquals(LintSeverity.WARNING, findings.get(0).severity());
            assertEquals(lineOf(text, "## Overview"), findings.get(0).span().startLine());
            assertTrue(findings.get(0).message().contains("Interpretation of Language"), findings.get(0).message());
        }

        @Test
        void staysSilentOnTheCopeOrderWithExtraSections() {
            String text = goodPolicyWith("## Definition of Labels", "## Examples\n\nNone.\n\n## Definition of Labels");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class DuplicateSection {

        @Test
        void firesAtTheRepeatedSection() {
            String text = GOOD_POLICY + "\n## Overview\n\nMore overview.\n";
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-duplicate-section"), ruleIds(text));
            assertEquals(lineOf(text, "More overview") - 2, findings.get(0).span().startLine());
        }
    }

    @Nested
    class EmptySection {

        @Test
        void firesOnAProseSectionWithNoContent() {
            String text = goodPolicyWith("- Coded spellings count as the words they stand for.\n"
                    + "- An attack that the content quotes and condemns meets no label.\n", "<!-- todo -->\n");
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-empty-section"), ruleIds(text));
            assertEquals(lineOf(text, "## Interpretation of Language"), findings.get(0).span().startLine());
        }
    }

    @Nested
    class MissingCriterion {

        @Test
        void firesAtDefinitionOfLabelsWithoutACriterion() {
            String text = GOOD_POLICY.substring(0, GOOD_POLICY.indexOf("### (HS1)"))
                    + "Content that uses a slur meets the label.\n";
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-missing-criterion"), ruleIds(text));
            assertEquals(LintSeverity.ERROR, findings.get(0).severity());
            assertEquals(lineOf(text, "## Definition of Labels"), findings.get(0).span().startLine());
        }

        @Test
        void staysSilentWhenDefinitionOfLabelsIsMissing() {
            String text = goodPolicyWith("## Definition of Labels", "## Labels");
            assertEquals(List.of(), findings(text, "structure-missing-criterion"));
        }
    }

    @Nested
    class MalformedCriterion {

        @Test
        void firesOnALevelThreeHeadingWithoutCodeAndSuggestsOne() {
            String text = goodPolicyWith("### (HS2): Calls for exclusion", "### (hs2) Calls for exclusion");
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-malformed-criterion"), ruleIds(text));
            LintFinding finding = findings.get(0);
            assertEquals(LintSeverity.ERROR, finding.severity());
            assertEquals(new TextSpan(lineOf(text, "(hs2)"), 1, lineOf(text, "(hs2)"), 30), finding.span());
            assertTrue(finding.message().contains("\"### (HS2): Calls for exclusion\""), finding.message());
        }

        @Test
        void suggestsACodeForABareName() {
            String text = goodPolicyWith("### (HS2): Calls for exclusion", "### Calls for exclusion");
            assertTrue(findings(text, "structure-malformed-criterion").get(0).message()
                    .contains("\"### (C1): Calls for exclusion\""));
        }

        @Test
        void reportsMissingCriterionTooWhenNoHeadingIsWellFormed() {
            String text = goodPolicyWith("### (HS1): Direct attacks", "### HS1 - Direct attacks")
                    .replace("### (HS2): Calls for exclusion", "### Calls for exclusion");
            assertEquals(List.of("structure-missing-criterion", "structure-malformed-criterion",
                    "structure-malformed-criterion"), ruleIds(text));
        }

        @Test
        void staysSilentOnUpperCaseLettersAndDigits() {
            String text = goodPolicyWith("(HS2)", "(X2B9)");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class DuplicateCriterion {

        @Test
        void firesOnTheSecondCriterionWithTheSameCode() {
            String text = goodPolicyWith("### (HS2)", "### (HS1)");
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-duplicate-criterion"), ruleIds(text));
            assertEquals(lineOf(text, "Calls for exclusion"), findings.get(0).span().startLine());
        }
    }

    @Nested
    class MissingIncludesExcludes {

        @Test
        void firesAtTheCriterionForTheMissingSubHeading() {
            String text = goodPolicyWith("#### Excludes\n\n- News reports that describe such calls without "
                    + "endorsing them.\n", "");
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("structure-missing-includes-excludes"), ruleIds(text));
            assertEquals(LintSeverity.ERROR, findings.get(0).severity());
            assertEquals(lineOf(text, "### (HS2)"), findings.get(0).span().startLine());
            assertTrue(findings.get(0).message().contains("#### Excludes"), findings.get(0).message());
        }

        @Test
        void firesTwiceForACriterionWithNeither() {
            String text = GOOD_POLICY + "\n### (HS3): Dehumanisation\n\nComparisons with animals.\n";
            assertEquals(List.of("structure-missing-includes-excludes", "structure-missing-includes-excludes"),
                    ruleIds(text));
        }

        @Test
        void acceptsSubHeadingsInAnyCase() {
            String text = goodPolicyWith("#### Includes", "#### INCLUDES");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class EmptyIncludesAndExcludes {

        @Test
        void emptyIncludesFiresAtTheSubHeadingWhenOnlyBlanksMarkersOrCommentsFollow() {
            for (String filler : List.of("", "-\n", "<!-- add cases -->\n", "\n\n")) {
                String text = goodPolicyWith("- Calls to expel or segregate people because of a **protected "
                        + "attribute**.\n", filler);
                List<LintFinding> findings = lint(text);
                assertEquals(List.of("empty-includes"), ruleIds(text), () -> "filler " + filler);
                assertEquals(LintSeverity.WARNING, findings.get(0).severity());
                int includesLine = lineOf(text, "### (HS2)") + 2;
                assertEquals(new TextSpan(includesLine, 1, includesLine, 14), findings.get(0).span());
            }
        }

        @Test
        void emptyExcludesFiresWhenTheNextHeadingFollowsDirectly() {
            String text = goodPolicyWith("- Criticism of a religion's teachings that does not attack its followers.\n",
                    "");
            assertEquals(List.of("empty-excludes"), ruleIds(text));
            assertEquals(lineOf(text, "### (HS1)") + 7, findings(text, "empty-excludes").get(0).span().startLine());
        }

        @Test
        void emptyExcludesFiresAtTheEndOfTheDocument() {
            String text = goodPolicyWith("- News reports that describe such calls without endorsing them.\n", "");
            assertEquals(List.of("empty-excludes"), ruleIds(text));
        }

        @Test
        void plainTextCountsAsContent() {
            String text = goodPolicyWith("- News reports that describe such calls without endorsing them.",
                    "News reports that describe such calls.");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class UndefinedTerm {

        @Test
        void firesOnEachUseOfABoldTermWithoutDefinition() {
            String text = goodPolicyWith("- Content that uses a **slur** about a person or a group.",
                    "- Content that names a **hate group** or praises a **Hate Group**.");
            List<LintFinding> findings = findings(text, "undefined-term");
            int line = lineOf(text, "**hate group**");
            assertEquals(List.of(spanOf(text, line, "**hate group**"), spanOf(text, line, "**Hate Group**")),
                    findings.stream().map(LintFinding::span).toList());
            assertEquals(LintSeverity.WARNING, findings.get(0).severity());
            assertTrue(findings.get(0).message().contains("Definition of Terms"), findings.get(0).message());
        }

        @Test
        void firesOnAnUndefinedTermUsedInsideADefinition() {
            String text = goodPolicyWith("a word that insults people", "a word that insults **groups** of people");
            assertEquals(1, findings(text, "undefined-term").size());
        }

        @Test
        void firesWhenTheTermIsBoldButNotAtTheStartOfItsDefinition() {
            String text = goodPolicyWith("- **Slur**: a word", "- A word (a **Slur**)");
            assertFalse(findings(text, "undefined-term").isEmpty());
        }

        @Test
        void toleratesCasePluralsPunctuationAndAliases() {
            String text = goodPolicyWith("- Content that uses a **slur** about a person or a group.",
                    "- Content that uses **Slurs**, **PROTECTED ATTRIBUTES:**, **epithets** or **abuses** about a "
                            + "person.")
                    .replace("- **Slur**: a word", "- **Slur** or **epithet**: a word")
                    .replace("- **Protected attribute**:", "- **Abuse**: any attack.\n- **Protected attribute**:");
            assertEquals(List.of(), findings(text, "undefined-term"));
        }

        @Test
        void acceptsDefinitionsWrittenAsParagraphs() {
            String text = goodPolicyWith("- **Slur**: a word", "\n**Slur** means a word");
            assertEquals(List.of(), lint(text));
        }

        @Test
        void acceptsCriterionCodesAndNamesInBold() {
            String text = goodPolicyWith("- News reports", "- Content meeting **HS1** or **direct attacks**. News "
                    + "reports");
            assertEquals(List.of(), findings(text, "undefined-term"));
        }

        @Test
        void ignoresBoldInsideCode() {
            String text = goodPolicyWith("- Coded spellings count", "- `**not bold**` Coded spellings count");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class UnusedTerm {

        @Test
        void firesAsInfoOnADefinitionNothingRefersTo() {
            String text = goodPolicyWith("- **Slur**:", "- **Dog whistle**: coded language that signals hostility."
                    + "\n- **Slur**:");
            List<LintFinding> findings = lint(text);
            assertEquals(List.of("unused-term"), ruleIds(text));
            assertEquals(LintSeverity.INFO, findings.get(0).severity());
            assertEquals(spanOf(text, lineOf(text, "Dog whistle"), "**Dog whistle**"), findings.get(0).span());
        }

        @Test
        void staysSilentWhenTheTermIsUsedWithoutBoldOrInThePlural() {
            String text = goodPolicyWith("- **Slur**:", "- **Dog whistle**: coded language.\n- **Slur**:")
                    .replace("- Coded spellings", "- Dog whistles count as what they signal.\n- Coded spellings");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class IntentWording {

        @Test
        void firesOnEachPhraseWithTheSpanOfThePhrase() {
            List<Executable> checks = new ArrayList<>();
            for (String phrase : List.of("intended to", "designed to", "in order to", "meant to", "aims to",
                    "Intended To")) {
                checks.add(() -> {
                    String sentence = "Content that is " + phrase + " demean people.";
                    String text = goodPolicyWithOverviewSentence(sentence);
                    List<LintFinding> findings = findings(text, "intent-wording");
                    int line = lineOf(text, sentence);
                    assertEquals(1, findings.size(), phrase);
                    assertEquals(spanOf(text, line, phrase), findings.get(0).span(), phrase);
                    assertEquals(LintSeverity.WARNING, findings.get(0).severity());
                    assertTrue(findings.get(0).message().contains(phrase), findings.get(0).message());
                });
            }
            assertAll(checks);
        }

        @Test
        void findsAPhraseWrappedOverTwoLines() {
            String text = goodPolicyWithOverviewSentence("Posts made in order\nto harass.");
            int line = lineOf(text, "Posts made in order");
            assertEquals(List.of(new TextSpan(line, 12, line + 1, 3)),
                    findings(text, "intent-wording").stream().map(LintFinding::span).toList());
        }

        @Test
        void reportsEveryOccurrence() {
            String text = goodPolicyWithOverviewSentence("Intended to shock, designed to shock, intended to shock.");
            assertEquals(3, findings(text, "intent-wording").size());
        }

        @Test
        void staysSilentOnQuotedContentCodeAndOtherWordForms() {
            String text = goodPolicyWithOverviewSentence("Content such as \"this was meant to be a joke\" or "
                    + "`intended to` meets no label; the intended audience and a designed logo do not matter.");
            assertEquals(List.of(), lint(text));
        }
    }

    @Nested
    class HedgeWording {

        @Test
        void firesOnEachHedgeAsAWholeWordWithTheSpanOfThePhrase() {
            List<Executable> checks = new ArrayList<>();
            for (String hedge : List.of("generally", "usually", "often", "may be", "might", "typically", "sometimes",
                    "in most cases", "Generally", "IN MOST CASES")) {
                checks.add(() -> {
                    String sentence = "Such posts are " + hedge + " attacks.";
                    String text = goodPolicyWithOverviewSentence(sentence);
                    List<LintFinding> findings = findings(text, "hedge-wording");
                    assertEquals(1, findings.size(), hedge);
                    assertEquals(spanOf(text, lineOf(text, sentence), hedge), findings.get(0).span(), hedge);
                    assertEquals(LintSeverity.WARNING, findings.get(0).severity());
                });
            }
            assertAll(checks);
        }

        @Test
        void staysSilentOnWordsThatContainAHedge() {
            String text = goodPolicyWithOverviewSentence("A mighty oftentimes-ignored maybelline ad is not a hedge.");
            assertEquals(List.of(), lint(text));
        }

        @Test
        void staysSilentInsideCurlyQuotes() {
            String text = goodPolicyWithOverviewSentence("Content such as \u201Cyou might regret this\u201D.");
            assertEquals(List.of(), lint(text));
        }

        @Test
        void firesAfterAnUnclosedQuote() {
            String text = goodPolicyWithOverviewSentence("A 5\" screen is usually small.");
            assertEquals(1, findings(text, "hedge-wording").size());
        }
    }

    @Nested
    class OutputInstruction {

        @Test
        void firesOnInstructionsAboutTheAnswer() {
            List<Executable> checks = new ArrayList<>();
            List<List<String>> cases = List.of(
                    List.of("Answer \"1\" if yes, and \"0\" if no.", "Answer \"1\""),
                    List.of("If it matches, respond with 1.", "respond with 1"),
                    List.of("Reply with yes when it matches.", "Reply with yes"),
                    List.of("Then answer yes.", "answer yes"),
                    List.of("Output only the label code.", "Output only"),
                    List.of("Spam should return 1.", "return 1"),
                    List.of("For spam say yes.", "say yes"),
                    List.of("Print true for spam.", "Print true"),
                    List.of("Your answer must be a single digit.", "Your answer"),
                    List.of("You must answer quickly.", "You must answer"),
                    List.of("- Answer with the code of the label.", "Answer with"),
                    List.of("Output: the label code.", "Output"));
            for (List<String> instruction : cases) {
                checks.add(() -> {
                    String text = goodPolicyWithOverviewSentence(instruction.get(0));
                    List<LintFinding> findings = findings(text, "output-instruction");
                    assertEquals(1, findings.size(), instruction.get(0));
                    assertEquals(LintSeverity.ERROR, findings.get(0).severity());
                    assertEquals(spanOf(text, lineOf(text, instruction.get(0)), instruction.get(1)),
                            findings.get(0).span(), instruction.get(0));
                });
            }
            assertAll(checks);
        }

        @Test
        void staysSilentOnTheNounsAndOtherSensesOfTheVerbs() {
            String text = goodPolicyWithOverviewSentence(String.join("\n", List.of(
                    "The output of a bot account counts as content.",
                    "Output from automated tools counts too.",
                    "A reply with a slur is an attack.",
                    "Users who return to the platform after a ban are not covered.",
                    "Return to this section for examples.",
                    "Posts that answer questions about religion are allowed; answers in forums too.",
                    "An answer no one asked for is not spam.",
                    "Content that responds to a threat and people who say no to a request are out of scope.",
                    "Quoted content such as \"reply with your address\" or `output 1` is content.")));
            assertEquals(List.of(), lint(text));
        }

        @Test
        void reportsOverlappingMatchesOnce() {
            String text = goodPolicyWithOverviewSentence("Answer with 1 or 0.");
            List<LintFinding> findings = findings(text, "output-instruction");
            assertEquals(1, findings.size());
            assertEquals(spanOf(text, lineOf(text, "Answer with"), "Answer with 1"), findings.get(0).span());
        }
    }

    @Nested
    class TokenBudget {

        private final PolicyLinter tight = new PolicyLinter(new LintSettings(400, 100, 20));

        private List<LintFinding> budgetFindings(String text) {
            return tight.lint(text).stream().filter(finding -> finding.ruleId().equals("token-budget")).toList();
        }

        @Test
        void warnsWhenLessThanTheReserveIsLeftForContent() {
            String text = "word ".repeat(250);
            assertEquals(325, TokenEstimator.estimate(text));
            List<LintFinding> findings = budgetFindings(text);
            assertEquals(1, findings.size());
            assertEquals(LintSeverity.WARNING, findings.get(0).severity());
            assertEquals(TextSpan.documentStart(), findings.get(0).span());
            assertTrue(findings.get(0).message().contains("325"), findings.get(0).message());
            assertTrue(findings.get(0).message().contains("280"), findings.get(0).message());
        }

        @Test
        void failsWhenNothingIsLeftForContent() {
            String text = "word ".repeat(300);
            List<LintFinding> findings = budgetFindings(text);
            assertEquals(1, findings.size());
            assertEquals(LintSeverity.ERROR, findings.get(0).severity());
            assertTrue(findings.get(0).message().contains("390"), findings.get(0).message());
            assertTrue(findings.get(0).message().contains("400-token context"), findings.get(0).message());
        }

        @Test
        void staysSilentAtExactlyTheComfortableBudget() {
            assertEquals(List.of(), budgetFindings("abcd".repeat(280)));
            assertEquals(1, budgetFindings("abcd".repeat(281)).size());
        }

        @Test
        void defaultSettingsAreTheCopeContext() {
            LintSettings defaults = LintSettings.defaults();
            assertEquals(new LintSettings(8192, 1024, 64), defaults);
            assertEquals(7104, defaults.comfortablePolicyTokens());
            assertEquals(8127, defaults.maxPolicyTokens());
        }

        @Test
        void settingsMustLeaveRoomForContent() {
            assertThrows(IllegalArgumentException.class, () -> new LintSettings(100, 90, 10));
            assertThrows(IllegalArgumentException.class, () -> new LintSettings(0, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new LintSettings(100, -1, 10));
        }

        @Test
        void estimatorCountsWordsSymbolsAndNonLatinScriptsConservatively() {
            assertEquals(0, TokenEstimator.estimate(""));
            assertEquals(3, TokenEstimator.estimate("hello world"));
            assertEquals(6, TokenEstimator.estimate("### (HS1): Direct"));
            assertEquals(4, TokenEstimator.estimate("\u4F60\u597D\u4E16\u754C"));
            assertEquals(PolicyLinter.estimateTokens(GOOD_POLICY), TokenEstimator.estimate(GOOD_POLICY));
        }
    }
}
