package io.copeplatform.labeling.domain;

/**
 * Why a job paused: a budget limit, or a refine proposal that was not saved because a human edited the policy's draft
 * since the iteration snapshotted it.
 */
public enum PauseReason {
    CALL_BUDGET, TOKEN_BUDGET, DRAFT_CONFLICT
}
