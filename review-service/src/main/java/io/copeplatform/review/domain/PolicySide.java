package io.copeplatform.review.domain;

/** One of the two policy texts of a task. */
public enum PolicySide {
    A, B
}
