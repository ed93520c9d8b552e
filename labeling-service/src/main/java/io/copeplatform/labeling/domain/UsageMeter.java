package io.copeplatform.labeling.domain;

/** Receives the cost of every labeler call as it happens (per-job accounting and budget checks). */
public interface UsageMeter {

    /** One call made (an HTTP request or a classify pair), with the tokens it consumed (0 when unknown). */
    void call(long promptTokens, long completionTokens);

    /** A call is retried after a 429, 5xx or timeout. */
    void retry();

    /** An answer could not be parsed even after its retry. */
    void malformed();

    /** A call failed after all retries. */
    void failedCall();

    /** A meter that records nothing. */
    UsageMeter NONE = new UsageMeter() {
        @Override
        public void call(long promptTokens, long completionTokens) {
        }

        @Override
        public void retry() {
        }

        @Override
        public void malformed() {
        }

        @Override
        public void failedCall() {
        }
    };
}
