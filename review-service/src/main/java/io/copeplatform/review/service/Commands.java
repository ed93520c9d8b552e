package io.copeplatform.review.service;

import io.copeplatform.review.domain.CorrectVersion;
import io.copeplatform.review.domain.PolicySide;

/** Inputs of the queue's mutations, already mapped from the API. */
public final class Commands {

    private Commands() {
    }

    /**
     * A decision. {@code correctVersion} is null when unspecified; {@code hasSpan} tells whether a clause was marked
     * ({@code spanSide} is then null when its side was unspecified).
     */
    public record SubmitDecision(String taskId, String leaseId, boolean label, CorrectVersion correctVersion,
            boolean hasSpan, PolicySide spanSide, int spanStart, int spanEnd, String note, String requestId) {

        /** What makes two submissions "the same request" for idempotency. */
        String fingerprint() {
            return String.join("\u0000", taskId, leaseId, String.valueOf(label), String.valueOf(correctVersion),
                    String.valueOf(hasSpan), String.valueOf(spanSide), String.valueOf(spanStart),
                    String.valueOf(spanEnd), note);
        }
    }
}
