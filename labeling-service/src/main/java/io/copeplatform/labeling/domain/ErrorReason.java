package io.copeplatform.labeling.domain;

/** The stable ErrorInfo reasons of {@code cope.labeling.v1.LabelingService}, each with its kind. */
public enum ErrorReason {
    INVALID_ARGUMENT(ErrorKind.INVALID_ARGUMENT), INVALID_ID(ErrorKind.INVALID_ARGUMENT), INVALID_REFERENCE(
            ErrorKind.INVALID_ARGUMENT), INVALID_LABELER_CONFIG(ErrorKind.INVALID_ARGUMENT), INVALID_TARGET_AGREEMENT(
                    ErrorKind.INVALID_ARGUMENT), DATASET_MISMATCH(ErrorKind.INVALID_ARGUMENT), INVALID_PAGE_TOKEN(
                            ErrorKind.INVALID_ARGUMENT), REQUEST_ID_REUSED(
                                    ErrorKind.INVALID_ARGUMENT), DATASET_NOT_FOUND(ErrorKind.NOT_FOUND), JOB_NOT_FOUND(
                                            ErrorKind.NOT_FOUND), EVALUATION_NOT_FOUND(
                                                    ErrorKind.NOT_FOUND), POLICY_VERSION_NOT_FOUND(
                                                            ErrorKind.NOT_FOUND), DATASET_ALREADY_EXISTS(
                                                                    ErrorKind.ALREADY_EXISTS), JOB_ALREADY_EXISTS(
                                                                            ErrorKind.ALREADY_EXISTS), EVALUATION_ALREADY_EXISTS(
                                                                                    ErrorKind.ALREADY_EXISTS), DATASET_EMPTY(
                                                                                            ErrorKind.FAILED_PRECONDITION), DATASET_HAS_NO_GOLD_LABELS(
                                                                                                    ErrorKind.FAILED_PRECONDITION), JOB_NOT_CANCELLABLE(
                                                                                                            ErrorKind.FAILED_PRECONDITION), JOB_NOT_PAUSED(
                                                                                                                    ErrorKind.FAILED_PRECONDITION), BUDGET_EXHAUSTED(
                                                                                                                            ErrorKind.FAILED_PRECONDITION), DATASET_ITEM_LIMIT_REACHED(
                                                                                                                                    ErrorKind.RESOURCE_EXHAUSTED), REGISTRY_UNAVAILABLE(
                                                                                                                                            ErrorKind.UNAVAILABLE), INFERENCE_UNAVAILABLE(
                                                                                                                                                    ErrorKind.UNAVAILABLE), DATABASE_UNAVAILABLE(
                                                                                                                                                            ErrorKind.UNAVAILABLE);

    private final ErrorKind kind;

    ErrorReason(ErrorKind kind) {
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }
}
