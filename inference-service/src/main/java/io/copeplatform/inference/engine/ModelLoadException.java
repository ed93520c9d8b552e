package io.copeplatform.inference.engine;

/** A model bundle that cannot be served; the message says what is wrong and where. */
public class ModelLoadException extends RuntimeException {

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
