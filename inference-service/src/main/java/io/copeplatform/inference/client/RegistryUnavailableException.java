package io.copeplatform.inference.client;

/** policy-registry could not be asked (down, slow, or answering with an error that is not about the reference). */
public final class RegistryUnavailableException extends RuntimeException {

    public RegistryUnavailableException(String reference, Throwable cause) {
        super("policy-registry is unavailable to resolve " + reference + ": " + cause.getMessage(), cause);
    }
}
