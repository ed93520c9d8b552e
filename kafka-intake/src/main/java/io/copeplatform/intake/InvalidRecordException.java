package io.copeplatform.intake;

/** A record that will never decode into a valid event: {@link KafkaIntake} dead-letters it instead of retrying. */
public final class InvalidRecordException extends Exception {

    public InvalidRecordException(String message) {
        super(message, null, false, false);
    }

    /** Throws with {@code message} (the dead letter's reason) unless {@code condition} holds. */
    public static void require(boolean condition, String message) throws InvalidRecordException {
        if (!condition) {
            throw new InvalidRecordException(message);
        }
    }
}
