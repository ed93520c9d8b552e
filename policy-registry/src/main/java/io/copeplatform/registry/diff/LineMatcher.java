package io.copeplatform.registry.diff;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Finds a longest common subsequence of two line sequences with Myers' O(ND) algorithm in its linear-space form (E.
 * Myers, "An O(ND) Difference Algorithm and Its Variations", 1986, section 4b; the bisection follows Neil Fraser's
 * diff-match-patch). Memory stays O(N + M) whatever the texts.
 * <p>
 * Two measures keep the time bounded on the registry's largest inputs (64 KiB texts, up to ~32,000 lines):
 * <ul>
 * <li>Lines that occur in only one of the texts cannot be part of a common subsequence; they are set aside before the
 * search (as GNU diff does), so two unrelated texts cost linear time.</li>
 * <li>The search for the middle of the edit path gives up after a cost limit of edit steps, inversely proportional to
 * the problem size, and splits at the furthest point reached instead (GNU diff's "too expensive" heuristic). The diff
 * stays correct but is no longer guaranteed minimal; for texts of ~2,000 lines the limit is never reached.</li>
 * </ul>
 * Sub-problems are kept on an explicit work list, so no input can overflow the stack.
 */
final class LineMatcher {

    /** Roughly how many diagonal steps one bisection may take before it settles for an approximate split. */
    private static final long STEP_BUDGET = 1L << 25;
    private static final int MIN_COST_LIMIT = 256;

    private final int[] a;
    private final int[] b;
    private final boolean[] matchedA;
    private final boolean[] matchedB;
    private final int[] forward;
    private final int[] backward;
    private final Deque<int[]> work = new ArrayDeque<>();

    private LineMatcher(int[] a, int[] b) {
        this.a = a;
        this.b = b;
        this.matchedA = new boolean[a.length];
        this.matchedB = new boolean[b.length];
        int maxD = (a.length + b.length + 1) / 2;
        this.forward = new int[2 * maxD + 2];
        this.backward = new int[2 * maxD + 2];
    }

    /**
     * Marks the lines of a longest common subsequence of {@code oldIds} and {@code newIds} (line ids, equal ids for
     * equal lines) in {@code oldMatched} and {@code newMatched}, which must be as long as the id arrays and all false.
     * The k-th marked old line is paired with the k-th marked new line.
     */
    static void match(int[] oldIds, int[] newIds, boolean[] oldMatched, boolean[] newMatched) {
        int maxId = 0;
        for (int id : oldIds) {
            maxId = Math.max(maxId, id);
        }
        for (int id : newIds) {
            maxId = Math.max(maxId, id);
        }
        boolean[] inOld = new boolean[maxId + 1];
        boolean[] inNew = new boolean[maxId + 1];
        for (int id : oldIds) {
            inOld[id] = true;
        }
        for (int id : newIds) {
            inNew[id] = true;
        }
        int[] keptOld = indexesOfIdsIn(oldIds, inNew);
        int[] keptNew = indexesOfIdsIn(newIds, inOld);
        LineMatcher matcher = new LineMatcher(select(oldIds, keptOld), select(newIds, keptNew));
        matcher.run();
        for (int i = 0; i < keptOld.length; i++) {
            oldMatched[keptOld[i]] = matcher.matchedA[i];
        }
        for (int i = 0; i < keptNew.length; i++) {
            newMatched[keptNew[i]] = matcher.matchedB[i];
        }
    }

    private static int[] indexesOfIdsIn(int[] ids, boolean[] wanted) {
        int[] indexes = new int[ids.length];
        int count = 0;
        for (int i = 0; i < ids.length; i++) {
            if (wanted[ids[i]]) {
                indexes[count++] = i;
            }
        }
        return Arrays.copyOf(indexes, count);
    }

    private static int[] select(int[] ids, int[] indexes) {
        int[] selected = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            selected[i] = ids[indexes[i]];
        }
        return selected;
    }

    private void run() {
        work.push(new int[]{0, a.length, 0, b.length});
        while (!work.isEmpty()) {
            int[] range = work.pop();
            int aStart = range[0];
            int aEnd = range[1];
            int bStart = range[2];
            int bEnd = range[3];
            while (aStart < aEnd && bStart < bEnd && a[aStart] == b[bStart]) {
                matchedA[aStart++] = true;
                matchedB[bStart++] = true;
            }
            while (aStart < aEnd && bStart < bEnd && a[aEnd - 1] == b[bEnd - 1]) {
                matchedA[--aEnd] = true;
                matchedB[--bEnd] = true;
            }
            if (aStart < aEnd && bStart < bEnd) {
                bisect(aStart, aEnd, bStart, bEnd);
            }
        }
    }

    /**
     * Finds the middle of an optimal edit path of the range by searching forward from its start and backward from its
     * end at the same time, and queues the two halves. Queues nothing when the range has no line in common.
     */
    private void bisect(int aStart, int aEnd, int bStart, int bEnd) {
        int n = aEnd - aStart;
        int m = bEnd - bStart;
        int maxD = (n + m + 1) / 2;
        int offset = maxD;
        int length = 2 * maxD + 2;
        Arrays.fill(forward, 0, length, -1);
        Arrays.fill(backward, 0, length, -1);
        forward[offset + 1] = 0;
        backward[offset + 1] = 0;
        int delta = n - m;
        boolean deltaOdd = (delta & 1) != 0;
        int costLimit = (int) Math.max(MIN_COST_LIMIT, Math.min(Integer.MAX_VALUE, STEP_BUDGET / (n + m)));
        int k1Start = 0;
        int k1End = 0;
        int k2Start = 0;
        int k2End = 0;
        for (int d = 0; d < maxD; d++) {
            if (d > costLimit) {
                splitAtFurthestForwardPoint(aStart, aEnd, bStart, bEnd, d - 1, k1Start, k1End);
                return;
            }
            for (int k1 = -d + k1Start; k1 <= d - k1End; k1 += 2) {
                int k1Offset = offset + k1;
                int x1 = k1 == -d || (k1 != d && forward[k1Offset - 1] < forward[k1Offset + 1])
                        ? forward[k1Offset + 1]
                        : forward[k1Offset - 1] + 1;
                int y1 = x1 - k1;
                while (x1 < n && y1 < m && a[aStart + x1] == b[bStart + y1]) {
                    x1++;
                    y1++;
                }
                forward[k1Offset] = x1;
                if (x1 > n) {
                    k1End += 2;
                } else if (y1 > m) {
                    k1Start += 2;
                } else if (deltaOdd) {
                    int k2Offset = offset + delta - k1;
                    if (k2Offset >= 0 && k2Offset < length && backward[k2Offset] != -1
                            && x1 >= n - backward[k2Offset]) {
                        split(aStart, aEnd, bStart, bEnd, x1, y1);
                        return;
                    }
                }
            }
            for (int k2 = -d + k2Start; k2 <= d - k2End; k2 += 2) {
                int k2Offset = offset + k2;
                int x2 = k2 == -d || (k2 != d && backward[k2Offset - 1] < backward[k2Offset + 1])
                        ? backward[k2Offset + 1]
                        : backward[k2Offset - 1] + 1;
                int y2 = x2 - k2;
                while (x2 < n && y2 < m && a[aEnd - x2 - 1] == b[bEnd - y2 - 1]) {
                    x2++;
                    y2++;
                }
                backward[k2Offset] = x2;
                if (x2 > n) {
                    k2End += 2;
                } else if (y2 > m) {
                    k2Start += 2;
                } else if (!deltaOdd) {
                    int k1Offset = offset + delta - k2;
                    if (k1Offset >= 0 && k1Offset < length && forward[k1Offset] != -1) {
                        int x1 = forward[k1Offset];
                        int y1 = offset + x1 - k1Offset;
                        if (x1 >= n - x2) {
                            split(aStart, aEnd, bStart, bEnd, x1, y1);
                            return;
                        }
                    }
                }
            }
        }
    }

    /** The cost limit was reached: split where the forward search got furthest, accepting a non-minimal diff. */
    private void splitAtFurthestForwardPoint(int aStart, int aEnd, int bStart, int bEnd, int d, int k1Start,
            int k1End) {
        int n = aEnd - aStart;
        int m = bEnd - bStart;
        int offset = (n + m + 1) / 2;
        int bestX = 0;
        int bestY = 0;
        for (int k1 = -d + k1Start; k1 <= d - k1End; k1 += 2) {
            int x = forward[offset + k1];
            int y = x - k1;
            if (x >= 0 && x <= n && y >= 0 && y <= m && x + y > bestX + bestY) {
                bestX = x;
                bestY = y;
            }
        }
        split(aStart, aEnd, bStart, bEnd, bestX, bestY);
    }

    /** Queues the two halves of the range on either side of the point ({@code x}, {@code y}) of its edit graph. */
    private void split(int aStart, int aEnd, int bStart, int bEnd, int x, int y) {
        boolean atStart = x == 0 && y == 0;
        boolean atEnd = x == aEnd - aStart && y == bEnd - bStart;
        if (atStart || atEnd) {
            return;
        }
        work.push(new int[]{aStart + x, aEnd, bStart + y, bEnd});
        work.push(new int[]{aStart, aStart + x, bStart, bStart + y});
    }
}
