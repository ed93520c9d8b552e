package io.copeplatform.review.domain;

/** Which wording read the content correctly. */
public enum CorrectVersion {
    A, B, BOTH, NEITHER
}
