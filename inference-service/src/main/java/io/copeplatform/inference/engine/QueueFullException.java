package io.copeplatform.inference.engine;

/** The batcher's queue is full: the request is refused at once rather than left waiting without bound. */
public final class QueueFullException extends RuntimeException {

    public QueueFullException(int capacity) {
        super("Inference queue is full (" + capacity + " waiting); retry with backoff", null, false, false);
    }
}
