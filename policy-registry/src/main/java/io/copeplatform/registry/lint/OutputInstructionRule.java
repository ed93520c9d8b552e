package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

import io.copeplatform.registry.lint.PolicyDocument.TextMatch;

/**
 * The prompt template already tells CoPE how to answer ("1" or "0"); an instruction about the answer inside the policy
 * competes with the template and makes scores unreliable. The heuristic looks for the verbs answer, respond, reply,
 * output, return, print and say used as instructions, and avoids the nouns ("the output of a bot", "a reply with a
 * slur", "users who return to the platform"). An occurrence is reported when:
 * <ul>
 * <li>answer / respond / reply / output is followed by {@code with} ("respond with"), and is not preceded by an article
 * or determiner ("a reply with" is a noun);</li>
 * <li>answer / respond / reply / output / return / print / say is followed (after an optional colon and "with") by a
 * label literal: 1, 0, yes, true, false, no (not after "say", where "say no" describes content), or a short quoted
 * literal (not after "say", which introduces quoted content); "answer only", "output just" count too;</li>
 * <li>answer / respond / reply / output / return / print opens a line or list item as an imperative, i.e. is not
 * followed by a word that makes it a noun or another verb sense (of, from, that, which, is, are, to, for, in, on,
 * ...);</li>
 * <li>the policy addresses the model: "your answer", "your response", "your output", "your label", "you must answer",
 * "you should respond", ...</li>
 * </ul>
 * Overlapping matches are reported once. Quoted example content and code are not checked.
 */
final class OutputInstructionRule implements LintRule {

    static final String ID = "output-instruction";

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE;
    private static final String NOT_AFTER_DETERMINER = "(?<!\\b(?:a|an|the|this|that|these|those|each|every|any|its"
            + "|their|his|her|our|my|no|one|first|last)[ \\t])";
    private static final String LABEL_LITERAL = "(?:1|0|yes|no|true|false)\\b";
    private static final String SAY_LITERAL = "(?:1|0|yes|true|false)\\b";
    private static final String QUOTED_LITERAL = "(?:\"[^\"\\n]{1,24}\"|\u201C[^\u201D\\n]{1,24}\u201D"
            + "|'[^'\\n]{1,24}'|`[^`\\n]{1,24}`)";
    private static final String OBJECT_GAP = "[ \\t]*:?[ \\t]*(?:with[ \\t]+)?";

    private static final List<Pattern> WHOLE_MATCH_PATTERNS = List.of(
            Pattern.compile(NOT_AFTER_DETERMINER + "\\b(?:answer|respond|reply|output)[ \\t]+with\\b", FLAGS),
            Pattern.compile(NOT_AFTER_DETERMINER + "\\b(?:answer|respond|reply|output|return|print)" + OBJECT_GAP
                    + "(?:only|just|exactly|" + LABEL_LITERAL + "|" + QUOTED_LITERAL + ")", FLAGS),
            Pattern.compile(NOT_AFTER_DETERMINER + "\\bsay[ \\t]*:?[ \\t]*\"?" + SAY_LITERAL, FLAGS),
            Pattern.compile("\\byour[ \\t]+(?:answer|response|reply|output|label|verdict|classification)\\b", FLAGS),
            Pattern.compile("\\byou[ \\t]+(?:should|must|will|need[ \\t]+to|have[ \\t]+to)[ \\t]+(?:answer|respond"
                    + "|reply|output|return|print|say)\\b", FLAGS));

    /** Group 1 is the imperative verb opening a line or list item. */
    private static final Pattern LINE_START_IMPERATIVE = Pattern.compile(
            "^[ \\t]*(?:(?:[-*+]|\\d{1,9}[.)])[ \\t]+)?(?:\\*\\*|__|\\*|_)?(answer|respond|reply|output|return|print)"
                    + "(?![\\p{L}\\p{N}])(?![ \\t]+(?:of|from|that|which|who|whose|is|are|was|were|has|have|for|to|in"
                    + "|on|by|and|or|as)\\b)(?=[ \\t]*:|[ \\t]+\\S)",
            FLAGS);

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
        return "The policy tells the model how to answer (\"answer 1\", \"respond with\", \"output\", \"say yes\"); "
                + "the prompt template owns the answer format.";
    }

    @Override
    public List<LintFinding> check(PolicyDocument document, LintSettings settings) {
        List<TextMatch> matches = new ArrayList<>();
        for (Pattern pattern : WHOLE_MATCH_PATTERNS) {
            matches.addAll(document.findInProse(pattern));
        }
        matches.addAll(document.findInProse(LINE_START_IMPERATIVE, 1));
        matches.sort(Comparator.comparingInt(TextMatch::startOffset).thenComparingInt(TextMatch::endOffset));
        List<LintFinding> findings = new ArrayList<>();
        int mergedStart = -1;
        int mergedEnd = -1;
        for (TextMatch match : matches) {
            if (mergedStart >= 0 && match.startOffset() < mergedEnd) {
                mergedEnd = Math.max(mergedEnd, match.endOffset());
                continue;
            }
            if (mergedStart >= 0) {
                findings.add(finding(document, mergedStart, mergedEnd));
            }
            mergedStart = match.startOffset();
            mergedEnd = match.endOffset();
        }
        if (mergedStart >= 0) {
            findings.add(finding(document, mergedStart, mergedEnd));
        }
        return findings;
    }

    private LintFinding finding(PolicyDocument document, int start, int end) {
        String phrase = PhrasePattern.asWritten(document.text().substring(start, end));
        return new LintFinding(ID, severity(), "\"" + phrase + "\" tells the model how to answer. The prompt template "
                + "already asks CoPE for \"1\" or \"0\", and an instruction inside the policy competes with it; "
                + "remove it and describe only which content meets each label.", document.span(start, end));
    }
}
