package io.copeplatform.review.console;

import java.util.ArrayList;
import java.util.List;

/**
 * Word-level differences between the two wordings of a policy, for highlighting. Each text is cut into segments that
 * concatenate back to exactly the original text (the console computes clause offsets from the rendered text, so no
 * character may be added or lost); a segment is {@code changed} when its words are not in the longest common
 * subsequence of the two texts' words.
 */
public final class WordDiff {

    /** Above this many word pairs in the differing middle the whole middle is marked (bounds memory and time). */
    static final long MAX_CELLS = 4_000_000L;

    private WordDiff() {
    }

    /** A run of text; {@code changed} runs are highlighted. */
    public record Segment(String text, boolean changed) {
    }

    /** The two texts' segments. */
    public record Result(List<Segment> a, List<Segment> b) {
    }

    public static Result diff(String a, String b) {
        List<String> x = tokens(a);
        List<String> y = tokens(b);
        boolean[] keptX = new boolean[x.size()];
        boolean[] keptY = new boolean[y.size()];
        int prefix = 0;
        while (prefix < x.size() && prefix < y.size() && x.get(prefix).equals(y.get(prefix))) {
            keptX[prefix] = true;
            keptY[prefix] = true;
            prefix++;
        }
        int suffix = 0;
        while (suffix < x.size() - prefix && suffix < y.size() - prefix
                && x.get(x.size() - 1 - suffix).equals(y.get(y.size() - 1 - suffix))) {
            keptX[x.size() - 1 - suffix] = true;
            keptY[y.size() - 1 - suffix] = true;
            suffix++;
        }
        int n = x.size() - prefix - suffix;
        int m = y.size() - prefix - suffix;
        if (n > 0 && m > 0 && (long) n * m <= MAX_CELLS) {
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--) {
                for (int j = m - 1; j >= 0; j--) {
                    lcs[i][j] = x.get(prefix + i).equals(y.get(prefix + j))
                            ? lcs[i + 1][j + 1] + 1
                            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
                }
            }
            int i = 0;
            int j = 0;
            while (i < n && j < m) {
                if (x.get(prefix + i).equals(y.get(prefix + j))) {
                    keptX[prefix + i++] = true;
                    keptY[prefix + j++] = true;
                } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
                    i++;
                } else {
                    j++;
                }
            }
        }
        return new Result(segments(x, keptX), segments(y, keptY));
    }

    /** Words and the whitespace between them as separate tokens; whitespace never counts as a change. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || Character.isWhitespace(text.charAt(i)) != Character.isWhitespace(
                    text.charAt(start))) {
                out.add(text.substring(start, i));
                start = i;
            }
        }
        return out;
    }

    private static List<Segment> segments(List<String> tokens, boolean[] kept) {
        List<Segment> out = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean runChanged = false;
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            // Whitespace between two changed words joins their highlight; elsewhere it is unchanged.
            boolean changed = !kept[i] && !token.isBlank()
                    || token.isBlank() && runChanged && i + 1 < tokens.size() && !kept[i + 1];
            if (changed != runChanged && run.length() > 0) {
                out.add(new Segment(run.toString(), runChanged));
                run.setLength(0);
            }
            runChanged = changed;
            run.append(token);
        }
        if (run.length() > 0) {
            out.add(new Segment(run.toString(), runChanged));
        }
        return out;
    }
}
