package io.copeplatform.review.domain;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** Task ids are derived from (job, iteration, item), so a redelivered or re-sent event maps to the same task. */
public final class TaskIds {

    private static final String PREFIX = "tasks/";

    private TaskIds() {
    }

    public static String derive(String job, int iteration, String item) {
        return UUID.nameUUIDFromBytes((job + "\n" + iteration + "\n" + item).getBytes(StandardCharsets.UTF_8))
                .toString();
    }

    public static String name(String id) {
        return PREFIX + id;
    }

    /** The id of {@code tasks/{id}}; INVALID_ARGUMENT on {@code field} otherwise. */
    public static String parse(String name, String field) {
        if (name == null || !name.startsWith(PREFIX) || name.length() == PREFIX.length()
                || name.indexOf('/', PREFIX.length()) >= 0) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, field, "must be tasks/{task}");
        }
        return name.substring(PREFIX.length());
    }

    /** A lease or decision id must be a UUID; anything else cannot be held. */
    public static UUID uuidOrNull(String raw) {
        try {
            return raw == null || raw.isEmpty() ? null : UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
