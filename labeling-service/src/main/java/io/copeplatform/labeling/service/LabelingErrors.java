package io.copeplatform.labeling.service;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.repository.Transactions;

/** Classifies any failure as a {@link LabelingException} (unknown failures: storage, retryable). */
public final class LabelingErrors {

    private LabelingErrors() {
    }

    public static LabelingException classify(Throwable failure) {
        if (failure instanceof LabelingException) {
            return (LabelingException) failure;
        }
        if (failure instanceof Transactions.StorageException) {
            return new LabelingException(ErrorReason.DATABASE_UNAVAILABLE, "Storage unavailable; safe to retry");
        }
        return new LabelingException(ErrorReason.DATABASE_UNAVAILABLE,
                "Internal failure: " + failure.getClass().getSimpleName() + "; safe to retry");
    }
}
