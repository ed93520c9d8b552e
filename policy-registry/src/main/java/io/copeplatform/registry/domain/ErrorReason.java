package io.copeplatform.registry.domain;

/**
 * Stable, machine-readable error reasons (the {@code ErrorInfo.reason} of the API, documented in
 * {@code policy_registry_service.proto}). Never rename one: clients switch on them.
 */
public enum ErrorReason {
    INVALID_ARGUMENT(ErrorKind.INVALID_ARGUMENT), INVALID_POLICY_ID(ErrorKind.INVALID_ARGUMENT), INVALID_REFERENCE(
            ErrorKind.INVALID_ARGUMENT), TEXT_EMPTY(ErrorKind.INVALID_ARGUMENT), TEXT_TOO_LARGE(
                    ErrorKind.INVALID_ARGUMENT), INVALID_THRESHOLD(ErrorKind.INVALID_ARGUMENT), INVALID_PAGE_TOKEN(
                            ErrorKind.INVALID_ARGUMENT), REQUEST_ID_REUSED(
                                    ErrorKind.INVALID_ARGUMENT), POLICY_NOT_FOUND(
                                            ErrorKind.NOT_FOUND), POLICY_VERSION_NOT_FOUND(
                                                    ErrorKind.NOT_FOUND), LIVE_ALIAS_NOT_SET(
                                                            ErrorKind.NOT_FOUND), LATEST_ALIAS_NOT_SET(
                                                                    ErrorKind.NOT_FOUND), POLICY_ALREADY_EXISTS(
                                                                            ErrorKind.ALREADY_EXISTS), ETAG_MISMATCH(
                                                                                    ErrorKind.ABORTED), CONCURRENT_MODIFICATION(
                                                                                            ErrorKind.ABORTED), LINT_ERRORS_BLOCK_PUBLISH(
                                                                                                    ErrorKind.FAILED_PRECONDITION), NO_UNPUBLISHED_CHANGES(
                                                                                                            ErrorKind.FAILED_PRECONDITION), VERSION_DEPRECATED(
                                                                                                                    ErrorKind.FAILED_PRECONDITION), VERSION_IS_LIVE(
                                                                                                                            ErrorKind.FAILED_PRECONDITION), POLICY_HAS_LIVE_DEPLOYMENT(
                                                                                                                                    ErrorKind.FAILED_PRECONDITION), POLICY_NOT_DEPLOYED(
                                                                                                                                            ErrorKind.FAILED_PRECONDITION), DETERMINISM_SCORE_MISSING(
                                                                                                                                                    ErrorKind.FAILED_PRECONDITION), DETERMINISM_BELOW_MINIMUM(
                                                                                                                                                            ErrorKind.FAILED_PRECONDITION), DATABASE_UNAVAILABLE(
                                                                                                                                                                    ErrorKind.UNAVAILABLE);

    private final ErrorKind kind;

    ErrorReason(ErrorKind kind) {
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
