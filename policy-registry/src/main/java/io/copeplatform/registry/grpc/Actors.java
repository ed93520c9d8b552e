package io.copeplatform.registry.grpc;

import java.util.concurrent.Callable;

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
 * author/actor on versions and deployments. Defaults to {@value #ANONYMOUS}.
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

    /** The actor of the current gRPC call. */
    static String current() {
        String actor = ACTOR.get();
        return actor == null ? ANONYMOUS : actor;
    }

    /** Runs {@code action} as {@code actor} (for adapters other than gRPC that delegate to the gRPC service). */
    public static <T> T callAs(String actor, Callable<T> action) {
        try {
            return Context.current().withValue(ACTOR, sanitize(actor)).call(action);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sanitize(String raw) {
        if (raw == null || raw.isBlank()) {
            return ANONYMOUS;
        }
        String trimmed = raw.strip();
        return trimmed.length() > 200 ? trimmed.substring(0, 200) : trimmed;
    }
}
