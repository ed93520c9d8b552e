package io.copeplatform.review.security;

import java.util.Optional;

import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.Role;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Maps an authenticated Quarkus identity (built-in user by form or Basic login, or an OIDC token) to the review
 * {@link Caller}: the principal name is the reviewer id, the role is the highest of the identity's {@code reviewer},
 * {@code lead} and {@code admin} roles. One mapping for the console and gRPC, so both see the same caller.
 */
public final class AuthenticatedCallers {

    /** Longest accepted reviewer id; longer names would not fit the audit log's columns. */
    static final int MAX_ID_LENGTH = 200;

    private AuthenticatedCallers() {
    }

    /** The caller of an authenticated identity; empty for anonymous identities and identities without a review role. */
    public static Optional<Caller> of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getPrincipal() == null) {
            return Optional.empty();
        }
        String id = identity.getPrincipal().getName();
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        return highestRole(identity).map(role -> new Caller(id.strip(), role));
    }

    /** The highest review role the identity holds (role names as in {@link Role#parse}). */
    public static Optional<Role> highestRole(SecurityIdentity identity) {
        Role best = null;
        for (String name : identity.getRoles()) {
            Role role = Role.parse(name).orElse(null);
            if (role != null && (best == null || role.atLeast(best))) {
                best = role;
            }
        }
        return Optional.ofNullable(best);
    }
}
