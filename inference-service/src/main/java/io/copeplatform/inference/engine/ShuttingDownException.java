package io.copeplatform.inference.engine;

/** The engine is stopping and takes no new work (work already queued is finished). */
public final class ShuttingDownException extends RuntimeException {

    public ShuttingDownException() {
        super("The inference engine is shutting down", null, false, false);
    }
}
