package io.copeplatform.registry.domain;

/** The category of a registry error; adapters map it to a gRPC status code or an HTTP status. */
public enum ErrorKind {
    INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, ABORTED, FAILED_PRECONDITION, UNAVAILABLE
}
