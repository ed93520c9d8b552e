package io.copeplatform.registry.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Line diffs of policy texts in the unified format reviewers know from {@code git diff} and {@code diff -u}, so that a
 * policy change can be reviewed like a code change and the output can be applied with {@code patch}.
 * <p>
 * The format follows GNU diff: a {@code --- old} / {@code +++ new} header, then hunks headed
 * {@code @@ -start,count +start,count @@} (a count of 1 is omitted, an empty range names the line before it), with
 * context lines prefixed by a space, removed lines by {@code -} and added lines by {@code +}. A text whose last line
 * has no line break gets {@code \ No newline at end of file} after that line, so adding or removing a final line break
 * shows as a change. Lines are split at {@code \n}; a {@code \r} before it stays part of the line. Nearby changes share
 * a hunk when at most {@code 2 * contextLines} unchanged lines separate them.
 * <p>
 * The diff is minimal (Myers' algorithm, see {@link LineMatcher}) except on very large, very different inputs, where a
 * cost limit keeps the time bounded and the diff may contain more lines than strictly needed.
 */
public final class UnifiedDiff {

    private static final String NO_NEWLINE_MARKER = "\\ No newline at end of file\n";

    private UnifiedDiff() {
    }

    /**
     * The unified diff from {@code oldText} to {@code newText}; empty when they are identical.
     *
     * @param oldLabel
     *            shown after {@code ---}, e.g. {@code policies/spam/versions/3}; no line breaks
     * @param newLabel
     *            shown after {@code +++}; no line breaks
     * @param oldText
     *            the text before the change
     * @param newText
     *            the text after the change
     * @param contextLines
     *            unchanged lines shown around each change, 0 or more (3 is the usual choice)
     */
    public static String between(String oldLabel, String newLabel, String oldText, String newText, int contextLines) {
        return compute(oldLabel, newLabel, oldText, newText, contextLines).unified();
    }

    /**
     * The unified diff from {@code oldText} to {@code newText} with the number of added and removed lines; see
     * {@link #between(String, String, String, String, int)} for the parameters.
     */
    public static DiffResult compute(String oldLabel, String newLabel, String oldText, String newText,
            int contextLines) {
        requireSingleLine(oldLabel, "oldLabel");
        requireSingleLine(newLabel, "newLabel");
        Objects.requireNonNull(oldText, "oldText");
        Objects.requireNonNull(newText, "newText");
        if (contextLines < 0) {
            throw new IllegalArgumentException("contextLines must not be negative: " + contextLines);
        }
        if (oldText.equals(newText)) {
            return new DiffResult("", 0, 0);
        }
        List<Line> oldLines = Line.split(oldText);
        List<Line> newLines = Line.split(newText);
        List<Edit> edits = edits(oldLines, newLines);
        StringBuilder unified = new StringBuilder();
        unified.append("--- ").append(oldLabel).append('\n');
        unified.append("+++ ").append(newLabel).append('\n');
        appendHunks(unified, edits, oldLines, newLines, contextLines);
        int added = (int) edits.stream().filter(edit -> edit.kind() == EditKind.INSERT).count();
        int removed = (int) edits.stream().filter(edit -> edit.kind() == EditKind.DELETE).count();
        return new DiffResult(unified.toString(), added, removed);
    }

    private static void requireSingleLine(String label, String name) {
        Objects.requireNonNull(label, name);
        if (label.indexOf('\n') >= 0 || label.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " must not contain a line break");
        }
    }

    /**
     * A line of a text. Whether it ends with a line break is part of its identity: only the last line of a text can
     * lack one, and "x" at the end of a text without a final line break differs from "x" followed by one.
     */
    private record Line(String content, boolean terminated) {

        static List<Line> split(String text) {
            List<Line> lines = new ArrayList<>();
            int start = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    lines.add(new Line(text.substring(start), false));
                    break;
                }
                lines.add(new Line(text.substring(start, end), true));
                start = end + 1;
            }
            return lines;
        }
    }

    private enum EditKind {
        KEEP(' '), DELETE('-'), INSERT('+');

        private final char prefix;

        EditKind(char prefix) {
            this.prefix = prefix;
        }
    }

    /**
     * One step of the edit script. {@code oldIndex} is the old line kept or deleted, or for an insertion the number of
     * old lines before it; {@code newIndex} likewise for the new text.
     */
    private record Edit(EditKind kind, int oldIndex, int newIndex) {
    }

    private static List<Edit> edits(List<Line> oldLines, List<Line> newLines) {
        Map<Line, Integer> ids = new HashMap<>();
        int[] oldIds = oldLines.stream().mapToInt(line -> ids.computeIfAbsent(line, key -> ids.size())).toArray();
        int[] newIds = newLines.stream().mapToInt(line -> ids.computeIfAbsent(line, key -> ids.size())).toArray();
        boolean[] oldMatched = new boolean[oldIds.length];
        boolean[] newMatched = new boolean[newIds.length];
        LineMatcher.match(oldIds, newIds, oldMatched, newMatched);
        List<Edit> edits = new ArrayList<>(oldIds.length + newIds.length);
        int oldIndex = 0;
        int newIndex = 0;
        while (oldIndex < oldIds.length || newIndex < newIds.length) {
            if (oldIndex < oldIds.length && !oldMatched[oldIndex]) {
                edits.add(new Edit(EditKind.DELETE, oldIndex++, newIndex));
            } else if (newIndex < newIds.length && !newMatched[newIndex]) {
                edits.add(new Edit(EditKind.INSERT, oldIndex, newIndex++));
            } else {
                edits.add(new Edit(EditKind.KEEP, oldIndex++, newIndex++));
            }
        }
        return edits;
    }

    private static void appendHunks(StringBuilder unified, List<Edit> edits, List<Line> oldLines,
            List<Line> newLines, int contextLines) {
        int[] changes = changeIndexes(edits);
        int next = 0;
        while (next < changes.length) {
            int firstChange = changes[next];
            int lastChange = firstChange;
            next++;
            while (next < changes.length && changes[next] - lastChange - 1 <= 2L * contextLines) {
                lastChange = changes[next];
                next++;
            }
            int from = Math.max(0, firstChange - contextLines);
            int to = (int) Math.min(edits.size(), (long) lastChange + 1 + contextLines);
            appendHunk(unified, edits.subList(from, to), oldLines, newLines);
        }
    }

    private static int[] changeIndexes(List<Edit> edits) {
        int[] changes = new int[edits.size()];
        int count = 0;
        for (int i = 0; i < edits.size(); i++) {
            if (edits.get(i).kind() != EditKind.KEEP) {
                changes[count++] = i;
            }
        }
        return Arrays.copyOf(changes, count);
    }

    private static void appendHunk(StringBuilder unified, List<Edit> hunk, List<Line> oldLines, List<Line> newLines) {
        int oldCount = (int) hunk.stream().filter(edit -> edit.kind() != EditKind.INSERT).count();
        int newCount = (int) hunk.stream().filter(edit -> edit.kind() != EditKind.DELETE).count();
        unified.append("@@ -").append(range(hunk.get(0).oldIndex(), oldCount))
                .append(" +").append(range(hunk.get(0).newIndex(), newCount)).append(" @@\n");
        for (Edit edit : hunk) {
            Line line = edit.kind() == EditKind.INSERT ? newLines.get(edit.newIndex()) : oldLines.get(edit.oldIndex());
            unified.append(edit.kind().prefix).append(line.content()).append('\n');
            if (!line.terminated()) {
                unified.append(NO_NEWLINE_MARKER);
            }
        }
    }

    /** GNU diff's range: "start,count", "start" when count is 1, "lineBefore,0" when the range is empty. */
    private static String range(int startIndex, int count) {
        if (count == 0) {
            return startIndex + ",0";
        }
        if (count == 1) {
            return Integer.toString(startIndex + 1);
        }
        return (startIndex + 1) + "," + count;
    }
}
