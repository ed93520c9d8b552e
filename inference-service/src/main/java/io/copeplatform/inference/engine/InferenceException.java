package io.copeplatform.inference.engine;

/** The model failed on a batch (not the caller's fault). */
public class InferenceException extends RuntimeException {

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
