package io.copeplatform.registry.lint;

/**
 * Where a finding sits in the policy text, so that an editor can underline it. Lines and columns are 1-based;
 * {@code endColumn} is exclusive. Columns count UTF-16 code units (Java {@code char}s, as editors such as Monaco and
 * the Language Server Protocol do), a tab counts as one column. Line breaks are {@code \n}, {@code \r\n} or {@code \r}.
 *
 * @param startLine
 *            first line of the span, 1-based
 * @param startColumn
 *            first column of the span, 1-based, inclusive
 * @param endLine
 *            last line of the span, 1-based
 * @param endColumn
 *            column after the last character of the span, 1-based, exclusive
 */
public record TextSpan(int startLine, int startColumn, int endLine, int endColumn) {

    private static final TextSpan DOCUMENT_START = new TextSpan(1, 1, 1, 1);

    /** Validates that the span is 1-based and does not end before it starts. */
    public TextSpan {
        if (startLine < 1 || startColumn < 1 || endLine < 1 || endColumn < 1) {
            throw new IllegalArgumentException("Lines and columns are 1-based: " + startLine + ":" + startColumn + "-"
                    + endLine + ":" + endColumn);
        }
        if (endLine < startLine || (endLine == startLine && endColumn < startColumn)) {
            throw new IllegalArgumentException("Span ends before it starts: " + startLine + ":" + startColumn + "-"
                    + endLine + ":" + endColumn);
        }
    }

    /**
     * The empty span at line 1, column 1: the position of findings about the whole document (a missing section, the
     * token budget), which have no better place to point at.
     */
    public static TextSpan documentStart() {
        return DOCUMENT_START;
    }
}
