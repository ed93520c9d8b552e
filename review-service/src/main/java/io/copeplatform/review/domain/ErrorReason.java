package io.copeplatform.review.domain;

/**
 * Stable, machine-readable error reasons (the {@code ErrorInfo.reason} of the API, documented in
 * {@code review_service.proto}). Never rename one: clients switch on them.
 */
public enum ErrorReason {
    // @formatter:off
    INVALID_ARGUMENT(ErrorKind.INVALID_ARGUMENT),
    INVALID_SPAN(ErrorKind.INVALID_ARGUMENT),
    SPAN_OUT_OF_RANGE(ErrorKind.INVALID_ARGUMENT),
    CORRECT_VERSION_MISSING(ErrorKind.INVALID_ARGUMENT),
    INVALID_LEASE_DURATION(ErrorKind.INVALID_ARGUMENT),
    INVALID_PAGE_TOKEN(ErrorKind.INVALID_ARGUMENT),
    REQUEST_ID_REUSED(ErrorKind.INVALID_ARGUMENT),
    TASK_NOT_FOUND(ErrorKind.NOT_FOUND),
    JOB_NOT_FOUND(ErrorKind.NOT_FOUND),
    REVIEWER_NOT_FOUND(ErrorKind.NOT_FOUND),
    LEASE_EXPIRED(ErrorKind.FAILED_PRECONDITION),
    LEASE_NOT_HELD(ErrorKind.FAILED_PRECONDITION),
    ALREADY_DECIDED(ErrorKind.FAILED_PRECONDITION),
    TASK_CLOSED(ErrorKind.FAILED_PRECONDITION),
    TASK_NOT_ESCALATED(ErrorKind.FAILED_PRECONDITION),
    ROLE_REQUIRED(ErrorKind.PERMISSION_DENIED),
    UNAUTHENTICATED(ErrorKind.UNAUTHENTICATED),
    CONCURRENT_MODIFICATION(ErrorKind.ABORTED),
    DATABASE_UNAVAILABLE(ErrorKind.UNAVAILABLE);
    // @formatter:on

    private final ErrorKind kind;

    ErrorReason(ErrorKind kind) {
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
