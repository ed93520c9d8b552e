package io.copeplatform.registry.lint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A policy's markdown parsed once for all lint rules: its lines, ATX headings, the sections they open, bold terms and
 * where quoted or code text sits. Only the markdown the CoPE policy structure uses is understood: ATX headings
 * ({@code ## Overview}), list items, {@code **bold**} / {@code __bold__}, inline code and fenced code blocks. Headings
 * and bold inside code are not headings or terms. Setext headings are not recognised, so a policy that uses them is
 * reported as missing its sections, which is what an author needs to know.
 * <p>
 * The text is normalised before parsing: {@code \r\n} and {@code \r} become {@code \n} and a leading byte order mark is
 * dropped. Neither changes line numbers or the columns of visible characters.
 */
public final class PolicyDocument {

    private static final Pattern ATX_HEADING = Pattern
            .compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern LIST_MARKER = Pattern.compile("^[ \\t]*(?:[-*+]|\\d{1,9}[.)])(?:[ \\t]+|$)");
    private static final Pattern CONTENTLESS_LINE = Pattern
            .compile("^[ \\t]*(?:(?:[-*+]|\\d{1,9}[.)])[ \\t]*|<!--.*-->[ \\t]*)?$");
    private static final Pattern BOLD = Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
    private static final Pattern TITLE_DECORATION = Pattern.compile("^[*_\\s]+|[*_:\\s]+$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final String text;
    private final List<String> lines;
    private final int[] lineStarts;
    private final boolean[] codeLines;
    private final boolean[] headingLines;
    private final boolean[] codeChars;
    private final boolean[] quotedChars;
    private final List<Heading> headings;
    private final List<Section> sections;
    private final List<BoldTerm> boldTerms;

    /**
     * An ATX heading.
     *
     * @param level
     *            1 for {@code #}, up to 6
     * @param text
     *            the heading text without the {@code #} markers and surrounding blanks
     * @param line
     *            1-based line number
     * @param span
     *            the heading from its first {@code #} to its last non-blank character
     */
    public record Heading(int level, String text, int line, TextSpan span) {
    }

    /**
     * The part of the document a heading opens: it ends before the next heading of the same or a higher level (a
     * smaller number), so a level-2 section contains its level-3 subsections.
     *
     * @param heading
     *            the heading that opens the section
     * @param lastLine
     *            the last line of the section, subsections included; equals the heading's line for an empty section
     * @param lastOwnLine
     *            the last line before the next heading of any level: the end of the text directly under this heading
     */
    public record Section(Heading heading, int lastLine, int lastOwnLine) {

        /** The heading's level. */
        public int level() {
            return heading.level();
        }

        /** The heading's text. */
        public String title() {
            return heading.text();
        }

        /** Whether {@code line} lies inside the section, its heading included. */
        public boolean contains(int line) {
            return line >= heading.line() && line <= lastLine;
        }
    }

    /**
     * Bold text, which CoPE policies reserve for defined terms.
     *
     * @param text
     *            the text between the bold markers, as written
     * @param span
     *            the bold text with its markers
     * @param leadsBlock
     *            whether the bold text opens a list item or a paragraph, the place where a definition names its term
     */
    public record BoldTerm(String text, TextSpan span, boolean leadsBlock) {

        /** The line the term is on. */
        public int line() {
            return span.startLine();
        }
    }

    /**
     * A match of a pattern in the policy's prose.
     *
     * @param text
     *            the matched text, as written
     * @param span
     *            where it is
     * @param startOffset
     *            where it starts in {@link PolicyDocument#text()}, inclusive
     * @param endOffset
     *            where it ends in {@link PolicyDocument#text()}, exclusive
     */
    public record TextMatch(String text, TextSpan span, int startOffset, int endOffset) {
    }

    private PolicyDocument(String text) {
        this.text = text;
        this.lines = List.of(text.split("\n", -1));
        this.lineStarts = new int[lines.size()];
        int offset = 0;
        for (int i = 0; i < lines.size(); i++) {
            lineStarts[i] = offset;
            offset += lines.get(i).length() + 1;
        }
        this.codeLines = findFencedCodeLines(lines);
        this.headingLines = new boolean[lines.size()];
        this.codeChars = new boolean[text.length()];
        this.quotedChars = new boolean[text.length()];
        this.headings = findHeadings();
        markInlineCodeAndQuotes();
        this.sections = findSections();
        this.boldTerms = findBoldTerms();
    }

    /** Parses {@code policyText}; never fails, whatever the markdown. */
    public static PolicyDocument parse(String policyText) {
        Objects.requireNonNull(policyText, "policyText");
        String normalised = policyText.replace("\r\n", "\n").replace('\r', '\n');
        if (normalised.startsWith("\uFEFF")) {
            normalised = normalised.substring(1);
        }
        return new PolicyDocument(normalised);
    }

    /**
     * Normalises a heading or term for comparison: lower case, single spaces, without surrounding emphasis markers and
     * a trailing colon, so {@code "## **Overview:**"} and {@code "## overview"} compare equal.
     */
    public static String normaliseTitle(String title) {
        String stripped = TITLE_DECORATION.matcher(title).replaceAll("");
        return WHITESPACE.matcher(stripped).replaceAll(" ").toLowerCase(Locale.ROOT);
    }

    /** The normalised text: {@code \n} line breaks, no byte order mark. */
    public String text() {
        return text;
    }

    /** Whether the policy has no visible text. */
    public boolean isBlank() {
        return text.isBlank();
    }

    /** The lines, without line breaks; a text ending with a line break has an empty last line. */
    public List<String> lines() {
        return lines;
    }

    /** The number of lines. */
    public int lineCount() {
        return lines.size();
    }

    /** The text of the 1-based line {@code number}. */
    public String line(int number) {
        return lines.get(number - 1);
    }

    /** Whether the 1-based line {@code number} belongs to a fenced code block, fences included. */
    public boolean isCodeLine(int number) {
        return codeLines[number - 1];
    }

    /** The ATX headings outside code blocks, in document order. */
    public List<Heading> headings() {
        return headings;
    }

    /** The sections opened by headings of {@code level}, in document order. */
    public List<Section> sections(int level) {
        return sections.stream().filter(section -> section.level() == level).toList();
    }

    /** The sections of {@code level} whose heading matches {@code title} (see {@link #normaliseTitle(String)}). */
    public List<Section> sections(int level, String title) {
        String wanted = normaliseTitle(title);
        return sections.stream()
                .filter(section -> section.level() == level && normaliseTitle(section.title()).equals(wanted))
                .toList();
    }

    /** The first section of {@code level} whose heading matches {@code title}. */
    public Optional<Section> section(int level, String title) {
        return sections(level, title).stream().findFirst();
    }

    /** The sections one level below {@code parent} inside it, in document order. */
    public List<Section> subsections(Section parent) {
        return sections.stream()
                .filter(section -> section.level() == parent.level() + 1
                        && section.heading().line() > parent.heading().line()
                        && section.heading().line() <= parent.lastLine())
                .toList();
    }

    /**
     * Whether lines {@code firstLine} to {@code lastLine} (1-based, inclusive) hold content: a line that is not blank,
     * not a bare list marker and not a one-line HTML comment such as a template's {@code <!-- add examples -->}.
     * Heading lines do not count as content.
     */
    public boolean hasContent(int firstLine, int lastLine) {
        for (int line = Math.max(1, firstLine); line <= Math.min(lastLine, lines.size()); line++) {
            if (!isHeadingLine(line) && !CONTENTLESS_LINE.matcher(line(line)).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The bold terms outside code, in document order. */
    public List<BoldTerm> boldTerms() {
        return boldTerms;
    }

    /**
     * The matches of {@code pattern} in the policy's own prose: matches that start inside a code block, an inline code
     * span or a double-quoted passage ({@code "..."} or curly quotes) are skipped, because policies quote example
     * content there and the content's wording is not the policy's. A pattern may match across a line break.
     */
    public List<TextMatch> findInProse(Pattern pattern) {
        return findInProse(pattern, 0);
    }

    /**
     * Like {@link #findInProse(Pattern)}, but each match is the text of capturing group {@code group}, so that a
     * pattern can require context (a line start, a following word) that is not part of the match.
     */
    public List<TextMatch> findInProse(Pattern pattern, int group) {
        List<TextMatch> matches = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            int start = matcher.start(group);
            int end = matcher.end(group);
            if (start >= 0 && end > start && !codeChars[start] && !quotedChars[start]) {
                matches.add(new TextMatch(matcher.group(group), span(start, end), start, end));
            }
        }
        return matches;
    }

    /** The span of the characters from {@code startOffset} (inclusive) to {@code endOffset} (exclusive) of text(). */
    public TextSpan span(int startOffset, int endOffset) {
        int startLine = lineIndexOf(startOffset);
        if (endOffset <= startOffset) {
            int column = startOffset - lineStarts[startLine] + 1;
            return new TextSpan(startLine + 1, column, startLine + 1, column);
        }
        int endLine = lineIndexOf(endOffset - 1);
        return new TextSpan(startLine + 1, startOffset - lineStarts[startLine] + 1, endLine + 1,
                endOffset - lineStarts[endLine] + 1);
    }

    /** The span of line {@code number} from its first to its last non-blank character. */
    public TextSpan lineSpan(int number) {
        String line = line(number);
        int start = 0;
        while (start < line.length() && Character.isWhitespace(line.charAt(start))) {
            start++;
        }
        int end = line.length();
        while (end > start && Character.isWhitespace(line.charAt(end - 1))) {
            end--;
        }
        return new TextSpan(number, start + 1, number, end + 1);
    }

    private int lineIndexOf(int offset) {
        int index = Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index : -index - 2;
    }

    private boolean isHeadingLine(int number) {
        return headingLines[number - 1];
    }

    private static boolean[] findFencedCodeLines(List<String> lines) {
        boolean[] code = new boolean[lines.size()];
        String openFence = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = FENCE.matcher(lines.get(i));
            if (openFence == null) {
                if (fence.find()) {
                    openFence = fence.group(1);
                    code[i] = true;
                }
            } else {
                code[i] = true;
                if (fence.find() && fence.group(1).charAt(0) == openFence.charAt(0)
                        && fence.group(1).length() >= openFence.length()
                        && lines.get(i).substring(fence.end()).isBlank()) {
                    openFence = null;
                }
            }
        }
        return code;
    }

    private List<Heading> findHeadings() {
        List<Heading> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (codeLines[i]) {
                continue;
            }
            Matcher matcher = ATX_HEADING.matcher(lines.get(i));
            if (matcher.matches()) {
                String headingText = matcher.group(2) == null ? "" : matcher.group(2).strip();
                found.add(new Heading(matcher.group(1).length(), headingText, i + 1, lineSpan(i + 1)));
                headingLines[i] = true;
            }
        }
        return List.copyOf(found);
    }

    private List<Section> findSections() {
        List<Section> found = new ArrayList<>();
        for (int i = 0; i < headings.size(); i++) {
            Heading heading = headings.get(i);
            int lastOwnLine = i + 1 < headings.size() ? headings.get(i + 1).line() - 1 : lines.size();
            int lastLine = lines.size();
            for (int j = i + 1; j < headings.size(); j++) {
                if (headings.get(j).level() <= heading.level()) {
                    lastLine = headings.get(j).line() - 1;
                    break;
                }
            }
            found.add(new Section(heading, lastLine, lastOwnLine));
        }
        return List.copyOf(found);
    }

    /**
     * Marks inline code spans and double-quoted passages. A quote that is not closed within its paragraph or list item
     * quotes nothing, so that a stray inch mark cannot hide the rest of the policy from the wording rules.
     */
    private void markInlineCodeAndQuotes() {
        int openQuote = -1;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int start = lineStarts[i];
            if (codeLines[i]) {
                Arrays.fill(codeChars, start, start + line.length(), true);
                openQuote = -1;
                continue;
            }
            if (line.isBlank() || LIST_MARKER.matcher(line).find() || isHeadingLine(i + 1)) {
                openQuote = -1;
            }
            markInlineCode(line, start);
            for (int column = 0; column < line.length(); column++) {
                int offset = start + column;
                char c = line.charAt(column);
                if (codeChars[offset]) {
                    continue;
                }
                if (openQuote < 0 && (c == '"' || c == '\u201C')) {
                    openQuote = offset;
                } else if (openQuote >= 0 && (c == '"' || c == '\u201D')) {
                    Arrays.fill(quotedChars, openQuote, offset + 1, true);
                    openQuote = -1;
                }
            }
            if (isHeadingLine(i + 1)) {
                openQuote = -1;
            }
        }
    }

    private void markInlineCode(String line, int lineStart) {
        int column = 0;
        while (column < line.length()) {
            if (line.charAt(column) != '`') {
                column++;
                continue;
            }
            int runLength = backtickRun(line, column);
            int close = column + runLength;
            boolean closed = false;
            while (close < line.length()) {
                if (line.charAt(close) == '`') {
                    int closeLength = backtickRun(line, close);
                    if (closeLength == runLength) {
                        Arrays.fill(codeChars, lineStart + column, lineStart + close + closeLength, true);
                        column = close + closeLength;
                        closed = true;
                        break;
                    }
                    close += closeLength;
                } else {
                    close++;
                }
            }
            if (!closed) {
                column += runLength;
            }
        }
    }

    private static int backtickRun(String line, int from) {
        int end = from;
        while (end < line.length() && line.charAt(end) == '`') {
            end++;
        }
        return end - from;
    }

    private List<BoldTerm> findBoldTerms() {
        List<BoldTerm> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (codeLines[i]) {
                continue;
            }
            String line = lines.get(i);
            Matcher listMarker = LIST_MARKER.matcher(line);
            boolean listItem = listMarker.find();
            int blockStart = listItem ? listMarker.end() : indentOf(line);
            boolean paragraphStart = listItem || i == 0 || lines.get(i - 1).isBlank() || codeLines[i - 1]
                    || isHeadingLine(i);
            Matcher bold = BOLD.matcher(line);
            while (bold.find()) {
                int offset = lineStarts[i] + bold.start();
                if (codeChars[offset]) {
                    continue;
                }
                boolean leadsBlock = paragraphStart && bold.start() == blockStart && !isHeadingLine(i + 1);
                found.add(new BoldTerm(bold.group(2), span(offset, lineStarts[i] + bold.end()), leadsBlock));
            }
        }
        return List.copyOf(found);
    }

    private static int indentOf(String line) {
        int indent = 0;
        while (indent < line.length() && (line.charAt(indent) == ' ' || line.charAt(indent) == '\t')) {
            indent++;
        }
        return indent;
    }
}
