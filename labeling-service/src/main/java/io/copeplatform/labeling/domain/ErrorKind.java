package io.copeplatform.labeling.domain;

/** Protocol-neutral class of an error; each adapter maps it (gRPC status code, HTTP status). */
public enum ErrorKind {
    INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE
}
