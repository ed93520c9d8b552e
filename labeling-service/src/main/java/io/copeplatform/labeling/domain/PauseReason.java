package io.copeplatform.labeling.domain;

/** Why a job paused. */
public enum PauseReason {
    CALL_BUDGET, TOKEN_BUDGET
}
