package io.copeplatform.review.domain;

import java.util.Locale;
import java.util.Optional;

/** Role of a caller; each role includes the ones before it. */
public enum Role {
    REVIEWER, LEAD, ADMIN;

    public boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    /** Parses {@code reviewer|lead|admin} (case-insensitive). */
    public static Optional<Role> parse(String raw) {
        if (raw == null) {
            return Optional.empty();
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "reviewer" -> Optional.of(REVIEWER);
            case "lead" -> Optional.of(LEAD);
            case "admin" -> Optional.of(ADMIN);
            default -> Optional.empty();
        };
    }
}
