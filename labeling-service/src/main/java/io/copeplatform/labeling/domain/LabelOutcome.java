package io.copeplatform.labeling.domain;

/** Whether a labeler answer gave a label. */
public enum LabelOutcome {
    /** A valid "0"/"1" answer. */
    LABELED,
    /** Unparseable even after one retry; never coerced into a label. */
    MALFORMED,
    /** The call failed after all retries, or the item was refused. */
    FAILED
}
