package io.copeplatform.labeling.domain;

/** Phase of one binocular iteration. */
public enum IterationPhase {
    PARAPHRASING, LABELING, REVIEWING, REFINING, COMPLETED
}
