package io.copeplatform.review.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.config.ReviewConfig;
import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.security.AuthenticatedCallers;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who is calling over gRPC. An authenticated call (HTTP Basic with a built-in user, or an OIDC bearer token, checked by
 * Quarkus security on the shared HTTP port) is its identity, mapped like the console's ({@link AuthenticatedCallers});
 * the {@code x-cope-*} headers are then ignored, so they cannot raise a role. A call without credentials is
 * UNAUTHENTICATED unless {@code review.auth.trust-caller-metadata} is on, for deployments whose authenticating proxy
 * sets {@code x-cope-actor} / {@code x-cope-role} ({@code reviewer|lead|admin}, default {@code reviewer}) and strips
 * any a client sent.
 */
@GlobalInterceptor
@ApplicationScoped
public class Callers implements ServerInterceptor {

    static final Metadata.Key<String> ACTOR_HEADER = Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ROLE_HEADER = Metadata.Key.of("x-cope-role", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> ACTOR = Context.key("cope-actor");
    private static final Context.Key<String> ROLE = Context.key("cope-role");

    private final boolean trustCallerMetadata;

    public Callers(ReviewConfig config) {
        this.trustCallerMetadata = config.auth().trustCallerMetadata();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Context context = Context.current().withValue(ACTOR, headers.get(ACTOR_HEADER)).withValue(ROLE,
                headers.get(ROLE_HEADER));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The caller headers of the current gRPC call (read on the call's thread, where its context is attached). */
    record Headers(String actor, String role) {
    }

    static Headers headers() {
        return new Headers(ACTOR.get(), ROLE.get());
    }

    /**
     * The caller, authenticated as {@code identity} (anonymous when no credentials came) or named by trusted headers.
     */
    Caller current(SecurityIdentity identity, Headers headers) {
        if (identity != null && !identity.isAnonymous()) {
            return AuthenticatedCallers.of(identity)
                    .orElseThrow(() -> ReviewException.roleRequired(Role.REVIEWER, "Using the review API"));
        }
        if (!trustCallerMetadata) {
            throw ReviewException.of(ErrorReason.UNAUTHENTICATED,
                    "No credentials: authenticate with HTTP Basic (built-in users) or an OIDC bearer token");
        }
        return of(headers.actor(), headers.role());
    }

    static Caller of(String actor, String role) {
        if (actor == null || actor.isBlank()) {
            throw ReviewException.of(ErrorReason.UNAUTHENTICATED, "No caller identity (x-cope-actor)");
        }
        String id = actor.strip();
        if (id.length() > 200) {
            throw ReviewException.of(ErrorReason.UNAUTHENTICATED, "Caller identity longer than 200 characters");
        }
        if (role == null || role.isBlank()) {
            return new Caller(id, Role.REVIEWER);
        }
        return new Caller(id, Role.parse(role).orElseThrow(() -> ReviewException.of(ErrorReason.UNAUTHENTICATED,
                "Unknown role '" + role + "' (x-cope-role: reviewer, lead or admin)")));
    }
}
