package io.copeplatform.review.domain;

/** Who is calling and in which role (from authentication, never from request fields). */
public record Caller(String id, Role role) {

    public boolean isLead() {
        return role.atLeast(Role.LEAD);
    }

    public void require(Role needed, String what) {
        if (!role.atLeast(needed)) {
            throw ReviewException.roleRequired(needed, what);
        }
    }
}
