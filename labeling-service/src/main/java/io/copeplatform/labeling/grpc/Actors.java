package io.copeplatform.labeling.grpc;

import jakarta.enterprise.context.ApplicationScoped;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;

/**
 * Who is calling: the {@code x-cope-actor} metadata header (set by the caller or an authenticating proxy), recorded as
 * the creator of datasets, jobs and evaluations. Defaults to {@value #ANONYMOUS}.
 */
@GlobalInterceptor
@ApplicationScoped
public class Actors implements ServerInterceptor {

    public static final String ANONYMOUS = "anonymous";
    static final Metadata.Key<String> HEADER = Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> ACTOR = Context.key("cope-actor");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(ACTOR, sanitize(headers.get(HEADER))), call, headers,
                next);
    }

    static String current() {
        String actor = ACTOR.get();
        return actor == null ? ANONYMOUS : actor;
    }

    public static String sanitize(String raw) {
        if (raw == null || raw.isBlank()) {
            return ANONYMOUS;
        }
        String trimmed = raw.strip();
        return trimmed.length() > 200 ? trimmed.substring(0, 200) : trimmed;
    }
}
