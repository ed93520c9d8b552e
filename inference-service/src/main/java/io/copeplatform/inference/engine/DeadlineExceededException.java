package io.copeplatform.inference.engine;

/** The request's deadline passed while it waited; it was dropped before compute. */
public final class DeadlineExceededException extends RuntimeException {

    public DeadlineExceededException(long waitedMillis) {
        super("Deadline passed after " + waitedMillis + " ms in the queue; dropped before compute", null, false,
                false);
    }
}
