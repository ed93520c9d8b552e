package io.copeplatform.review.service;

import java.util.Map;

import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.repository.Transactions.StorageException;

/**
 * Classifies any failure as a {@link ReviewException}: our own pass through; a unique-key, serialization or deadlock
 * race between concurrent transactions becomes CONCURRENT_MODIFICATION (retry); anything else from storage is
 * DATABASE_UNAVAILABLE.
 */
public final class ReviewErrors {

    /** The {@code ErrorInfo} domain of review errors, on gRPC and in the console's problem documents. */
    public static final String DOMAIN = "review.cope.io";

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK = "40P01";

    private ReviewErrors() {
    }

    public static ReviewException classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ReviewException review) {
                return review;
            }
            if (t instanceof StorageException storage) {
                String state = storage.sqlState();
                if (UNIQUE_VIOLATION.equals(state) || SERIALIZATION_FAILURE.equals(state) || DEADLOCK.equals(state)) {
                    return ReviewException.of(ErrorReason.CONCURRENT_MODIFICATION,
                            "A concurrent change won the race; re-read and retry", Map.of("sql_state", state));
                }
            }
        }
        return ReviewException.of(ErrorReason.DATABASE_UNAVAILABLE,
                "Storage failed (" + failure.getClass().getSimpleName() + "); the request is safe to retry");
    }
}
