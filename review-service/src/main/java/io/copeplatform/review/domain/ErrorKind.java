package io.copeplatform.review.domain;

/** The category of a review error; the gRPC adapter maps it to a status code. */
public enum ErrorKind {
    INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, PERMISSION_DENIED, UNAUTHENTICATED, ABORTED, UNAVAILABLE
}
