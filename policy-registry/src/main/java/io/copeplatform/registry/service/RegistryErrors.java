package io.copeplatform.registry.service;

import java.util.Map;

import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.RegistryException;
import io.vertx.pgclient.PgException;

/**
 * Classifies any failure as a {@link RegistryException}: our own pass through; a unique-key race between two concurrent
 * transactions becomes CONCURRENT_MODIFICATION (retry); anything else from storage is DATABASE_UNAVAILABLE. Both
 * adapters (gRPC, REST) call this, so they can never disagree.
 */
public final class RegistryErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final String SERIALIZATION_FAILURE = "40001";
    private static final String DEADLOCK = "40P01";

    private RegistryErrors() {
    }

    public static RegistryException classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RegistryException registry) {
                return registry;
            }
            if (t instanceof PgException pg) {
                String state = pg.getSqlState();
                if (UNIQUE_VIOLATION.equals(state) || SERIALIZATION_FAILURE.equals(state) || DEADLOCK.equals(state)) {
                    return RegistryException.of(ErrorReason.CONCURRENT_MODIFICATION,
                            "A concurrent change won the race; re-read and retry", Map.of("sql_state", state));
                }
            }
        }
        return RegistryException.of(ErrorReason.DATABASE_UNAVAILABLE,
                "Storage failed (" + failure.getClass().getSimpleName() + "); the request is safe to retry");
    }
}
