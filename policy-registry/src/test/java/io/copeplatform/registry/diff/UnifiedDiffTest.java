package io.copeplatform.registry.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class UnifiedDiffTest {

    private static final Pattern HUNK_HEADER = Pattern.compile("^@@ -(\\d+)(?:,(\\d+))? \\+(\\d+)(?:,(\\d+))? @@$");

    private static String lines(String... lines) {
        return Arrays.stream(lines).map(line -> line + "\n").collect(Collectors.joining());
    }

    private static String numberedLines(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "l" + i + "\n").collect(Collectors.joining());
    }

    @Test
    void identicalTextsGiveAnEmptyDiff() {
        DiffResult result = UnifiedDiff.compute("a", "b", "same\ntext\n", "same\ntext\n", 3);
        assertEquals(new DiffResult("", 0, 0), result);
        assertTrue(result.identical());
        assertEquals("", UnifiedDiff.between("a", "b", "", "", 3));
    }

    @Test
    void pureInsertionShowsContextAroundTheAddedLines() {
        DiffResult result = UnifiedDiff.compute("v1", "v2", lines("a", "b", "c"), lines("a", "b", "X", "Y", "c"), 3);
        assertEquals("""
                --- v1
                +++ v2
                @@ -1,3 +1,5 @@
                 a
                 b
                +X
                +Y
                 c
                """, result.unified());
        assertEquals(2, result.linesAdded());
        assertEquals(0, result.linesRemoved());
        assertFalse(result.identical());
    }

    @Test
    void pureDeletionWithOneLineOfContext() {
        DiffResult result = UnifiedDiff.compute("old", "new", lines("a", "b", "c", "d", "e"), lines("a", "b", "d",
                "e"), 1);
        assertEquals("""
                --- old
                +++ new
                @@ -2,3 +2,2 @@
                 b
                -c
                 d
                """, result.unified());
        assertEquals(0, result.linesAdded());
        assertEquals(1, result.linesRemoved());
    }

    @Test
    void nearbyChangesShareAHunkAndDistantOnesGetTheirOwn() {
        String oldText = numberedLines(20);
        String newText = oldText.replace("l5\n", "L5\n").replace("l9\n", "L9\n").replace("l17\n", "L17\n");
        assertEquals("""
                --- policies/p/versions/1
                +++ policies/p/versions/2
                @@ -3,9 +3,9 @@
                 l3
                 l4
                -l5
                +L5
                 l6
                 l7
                 l8
                -l9
                +L9
                 l10
                 l11
                @@ -15,5 +15,5 @@
                 l15
                 l16
                -l17
                +L17
                 l18
                 l19
                """, UnifiedDiff.between("policies/p/versions/1", "policies/p/versions/2", oldText, newText, 2));
    }

    @Test
    void changesExactlyTwiceTheContextApartAreMergedOneMoreAreNot() {
        String oldText = numberedLines(12);
        String merged = UnifiedDiff.between("a", "b", oldText, oldText.replace("l3\n", "L3\n").replace("l8\n",
                "L8\n"), 2);
        assertEquals(1, countHunks(merged));
        String separate = UnifiedDiff.between("a", "b", oldText, oldText.replace("l3\n", "L3\n").replace("l9\n",
                "L9\n"), 2);
        assertEquals(2, countHunks(separate));
    }

    @Test
    void zeroContextNamesTheLineBeforeAnInsertion() {
        assertEquals("""
                --- a
                +++ b
                @@ -3,0 +4 @@
                +X
                """, UnifiedDiff.between("a", "b", lines("a", "b", "c", "d"), lines("a", "b", "c", "X", "d"), 0));
    }

    @Test
    void emptyOldTextIsAllInsertions() {
        DiffResult result = UnifiedDiff.compute("/dev/null", "draft", "", lines("a", "b"), 3);
        assertEquals("""
                --- /dev/null
                +++ draft
                @@ -0,0 +1,2 @@
                +a
                +b
                """, result.unified());
        assertEquals(2, result.linesAdded());
    }

    @Test
    void emptyNewTextIsAllDeletions() {
        DiffResult result = UnifiedDiff.compute("draft", "empty", lines("a", "b"), "", 3);
        assertEquals("""
                --- draft
                +++ empty
                @@ -1,2 +0,0 @@
                -a
                -b
                """, result.unified());
        assertEquals(2, result.linesRemoved());
    }

    @Test
    void missingFinalLineBreakIsMarkedAndCountsAsAChange() {
        assertEquals("""
                --- a
                +++ b
                @@ -1 +1 @@
                -x
                \\ No newline at end of file
                +x
                """, UnifiedDiff.between("a", "b", "x", "x\n", 3));
        assertEquals("""
                --- a
                +++ b
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +c
                \\ No newline at end of file
                """, UnifiedDiff.between("a", "b", "a\nb", "a\nc", 3));
        assertEquals("""
                --- a
                +++ b
                @@ -1,2 +1,2 @@
                -a
                +A
                 b
                \\ No newline at end of file
                """, UnifiedDiff.between("a", "b", "a\nb", "A\nb", 3));
    }

    @Test
    void rejectsNegativeContextLineBreaksInLabelsAndNulls() {
        assertThrows(IllegalArgumentException.class, () -> UnifiedDiff.between("a", "b", "x", "y", -1));
        assertThrows(IllegalArgumentException.class, () -> UnifiedDiff.between("a\n", "b", "x", "y", 3));
        assertThrows(NullPointerException.class, () -> UnifiedDiff.between("a", "b", null, "y", 3));
    }

    @Test
    void randomDiffsApplyBackAndAreMinimal() {
        Random random = new Random(20261128);
        for (int round = 0; round < 500; round++) {
            String oldText = randomText(random);
            String newText = randomText(random);
            int context = random.nextInt(4);
            DiffResult result = UnifiedDiff.compute("a", "b", oldText, newText, context);
            String message = "old=" + oldText.replace("\n", "|") + " new=" + newText.replace("\n", "|") + " context="
                    + context;
            assertEquals(newText, applyPatch(oldText, result.unified()), message);
            int common = longestCommonSubsequence(splitKeepingBreaks(oldText), splitKeepingBreaks(newText));
            assertEquals(splitKeepingBreaks(oldText).size() - common, result.linesRemoved(), message);
            assertEquals(splitKeepingBreaks(newText).size() - common, result.linesAdded(), message);
            assertEquals(oldText.equals(newText), result.identical(), message);
        }
    }

    @Test
    void largestPolicyTextsOfTwoThousandLinesDiffQuickly() {
        Random random = new Random(42);
        List<String> base = IntStream.range(0, 2000).mapToObj(i -> randomSentence(random)).toList();
        String oldText = String.join("\n", base) + "\n";
        String halfChanged = base.stream().map(line -> random.nextBoolean() ? randomSentence(random) : line)
                .collect(Collectors.joining("\n")) + "\n";
        String unrelated = IntStream.range(0, 2000).mapToObj(i -> randomSentence(random))
                .collect(Collectors.joining("\n")) + "\n";
        assertTrue(oldText.length() >= 55_000 && oldText.length() <= 65_536, "about 64 KiB: " + oldText.length());
        for (String newText : List.of(halfChanged, unrelated)) {
            DiffResult result = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> UnifiedDiff.compute("a", "b", oldText, newText, 3));
            assertEquals(newText, applyPatch(oldText, result.unified()));
        }
    }

    @Test
    void pathologicalInputsOfManyShortRepeatedLinesStayBounded() {
        String oldText = "a\n".repeat(16_000) + "b\n".repeat(16_000);
        String newText = "b\n".repeat(16_000) + "a\n".repeat(16_000);
        DiffResult swapped = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> UnifiedDiff.compute("a", "b", oldText, newText, 3));
        assertEquals(newText, applyPatch(oldText, swapped.unified()));
        assertEquals(16_000, swapped.linesRemoved());

        String alternating = "a\nb\n".repeat(16_000);
        String shuffled = "b\na\nb\n".repeat(10_000) + "a\n".repeat(3_000);
        DiffResult mixed = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> UnifiedDiff.compute("a", "b", alternating, shuffled, 3));
        assertEquals(shuffled, applyPatch(alternating, mixed.unified()));
    }

    private static int countHunks(String unified) {
        return (int) unified.lines().filter(line -> line.startsWith("@@ ")).count();
    }

    private static String randomText(Random random) {
        int lineCount = random.nextInt(12);
        StringBuilder text = new StringBuilder();
        int alphabet = 1 + random.nextInt(5);
        for (int i = 0; i < lineCount; i++) {
            text.append((char) ('a' + random.nextInt(alphabet)));
            if (i < lineCount - 1 || random.nextInt(4) > 0) {
                text.append('\n');
            }
        }
        return text.toString();
    }

    private static String randomSentence(Random random) {
        String[] words = {"content", "that", "threatens", "a", "target", "meets", "the", "label", "slur", "includes",
                "excludes", "policy", "news", "report", "quote", "spam"};
        return IntStream.range(0, 4 + random.nextInt(3)).mapToObj(i -> words[random.nextInt(words.length)])
                .collect(Collectors.joining(" "));
    }

    /** Lines with their line break, so that a final line without one differs from the same line with one. */
    private static List<String> splitKeepingBreaks(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            lines.add(text.substring(start, next));
            start = next;
        }
        return lines;
    }

    private static int longestCommonSubsequence(List<String> a, List<String> b) {
        int[][] lengths = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lengths[i][j] = a.get(i).equals(b.get(j))
                        ? lengths[i + 1][j + 1] + 1
                        : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
            }
        }
        return lengths[0][0];
    }

    /**
     * Applies a unified diff the way {@code patch} does, checking every context and removed line and every hunk header
     * count, so a test fails on any malformed or inconsistent diff.
     */
    private static String applyPatch(String oldText, String unified) {
        if (unified.isEmpty()) {
            return oldText;
        }
        List<String> oldLines = splitKeepingBreaks(oldText);
        List<String> diff = splitKeepingBreaks(unified);
        assertTrue(diff.get(0).startsWith("--- ") && diff.get(1).startsWith("+++ "), "header");
        List<String> result = new ArrayList<>();
        int oldPosition = 0;
        int row = 2;
        while (row < diff.size()) {
            Matcher header = HUNK_HEADER.matcher(diff.get(row).stripTrailing());
            assertTrue(header.matches(), "hunk header expected: " + diff.get(row));
            int oldStart = Integer.parseInt(header.group(1));
            int oldCount = header.group(2) == null ? 1 : Integer.parseInt(header.group(2));
            int newStart = Integer.parseInt(header.group(3));
            int newCount = header.group(4) == null ? 1 : Integer.parseInt(header.group(4));
            int hunkStart = oldCount == 0 ? oldStart : oldStart - 1;
            assertTrue(hunkStart >= oldPosition, "hunks overlap or go backwards");
            result.addAll(oldLines.subList(oldPosition, hunkStart));
            assertEquals(newCount == 0 ? newStart : newStart - 1, result.size(), "new start in hunk header");
            oldPosition = hunkStart;
            row++;
            int seenOld = 0;
            int seenNew = 0;
            while (row < diff.size() && !diff.get(row).startsWith("@@ ")) {
                String line = diff.get(row);
                String body = line.substring(1);
                boolean noNewline = row + 1 < diff.size() && diff.get(row + 1).startsWith("\\ No newline");
                if (noNewline) {
                    body = body.substring(0, body.length() - 1);
                    row++;
                }
                switch (line.charAt(0)) {
                    case ' ' -> {
                        assertEquals(oldLines.get(oldPosition++), body, "context line");
                        result.add(body);
                        seenOld++;
                        seenNew++;
                    }
                    case '-' -> {
                        assertEquals(oldLines.get(oldPosition++), body, "removed line");
                        seenOld++;
                    }
                    case '+' -> {
                        result.add(body);
                        seenNew++;
                    }
                    default -> throw new AssertionError("unexpected diff line: " + line);
                }
                row++;
            }
            assertEquals(oldCount, seenOld, "old count in hunk header");
            assertEquals(newCount, seenNew, "new count in hunk header");
        }
        result.addAll(oldLines.subList(oldPosition, oldLines.size()));
        return String.join("", result);
    }
}
