package io.copeplatform.review.domain;

/**
 * A span of one policy text: 0-based UTF-16 offsets, end exclusive. {@link #validate} checks it against the text the
 * way the API documents (INVALID_SPAN, SPAN_OUT_OF_RANGE).
 */
public record ClauseSpan(PolicySide side, int start, int end) {

    /** Checks the shape of a span whose side may be unknown ({@code side == null}). */
    public static void checkShape(PolicySide side, int start, int end) {
        if (side == null) {
            throw ReviewException.invalidField(ErrorReason.INVALID_SPAN, "ambiguous_clause.side",
                    "must be POLICY_SIDE_A or POLICY_SIDE_B");
        }
        if (start < 0) {
            throw ReviewException.invalidField(ErrorReason.INVALID_SPAN, "ambiguous_clause.start_offset",
                    "must be >= 0");
        }
        if (end <= start) {
            throw ReviewException.invalidField(ErrorReason.INVALID_SPAN, "ambiguous_clause.end_offset",
                    "must be greater than start_offset (the span may not be empty)");
        }
    }

    /** Checks the span lies inside {@code text} (length in UTF-16 code units). */
    public void checkWithin(String text) {
        if (end > text.length()) {
            throw ReviewException.invalidField(ErrorReason.SPAN_OUT_OF_RANGE, "ambiguous_clause.end_offset",
                    "ends at " + end + " beyond policy text " + side + " of length " + text.length());
        }
    }

    public String quote(String text) {
        return text.substring(start, Math.min(end, text.length()));
    }
}
