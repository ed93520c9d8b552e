package io.copeplatform.inference.service;

/** A request arrived before the model finished loading and warming up. */
public final class ModelNotReadyException extends RuntimeException {

    public ModelNotReadyException() {
        super("The model is still loading; retry shortly", null, false, false);
    }
}
