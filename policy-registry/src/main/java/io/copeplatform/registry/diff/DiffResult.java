package io.copeplatform.registry.diff;

import java.util.Objects;

/**
 * A line diff between two texts: the unified diff a reviewer reads and the counts a UI shows next to it ("+12 -3").
 *
 * @param unified
 *            the diff in unified format; empty when the texts are identical
 * @param linesAdded
 *            lines present only in the new text
 * @param linesRemoved
 *            lines present only in the old text
 */
public record DiffResult(String unified, int linesAdded, int linesRemoved) {

    /** Rejects a missing diff and negative counts. */
    public DiffResult {
        Objects.requireNonNull(unified, "unified");
        if (linesAdded < 0 || linesRemoved < 0) {
            throw new IllegalArgumentException(
                    "Line counts must not be negative: +" + linesAdded + " -" + linesRemoved);
        }
    }

    /** Whether the two texts were identical (the diff is empty). */
    public boolean identical() {
        return unified.isEmpty();
    }
}
