package io.copeplatform.review.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.Role;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Who is calling and in which role: the {@code x-cope-actor} and {@code x-cope-role} ({@code reviewer|lead|admin},
 * default {@code reviewer}) metadata headers. In production an authenticating proxy (or, with the console, OIDC) sets
 * them and strips any a client sent; the service trusts them.
 */
@GlobalInterceptor
@ApplicationScoped
public class Callers implements ServerInterceptor {

    static final Metadata.Key<String> ACTOR_HEADER = Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> ROLE_HEADER = Metadata.Key.of("x-cope-role", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> ACTOR = Context.key("cope-actor");
    private static final Context.Key<String> ROLE = Context.key("cope-role");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Context context = Context.current().withValue(ACTOR, headers.get(ACTOR_HEADER)).withValue(ROLE,
                headers.get(ROLE_HEADER));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The caller of the current gRPC call; UNAUTHENTICATED without an actor or with an unknown role. */
    static Caller current() {
        return of(ACTOR.get(), ROLE.get());
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
