package io.copeplatform.registry.service;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.registry.domain.ErrorReason;
import io.copeplatform.registry.domain.RegistryException;
import io.copeplatform.registry.domain.Sha256;
import io.copeplatform.registry.repository.RequestIdEntity;
import io.smallrye.mutiny.Uni;

/**
 * Idempotency of retryable mutations: a {@code request_id} seen before with the same input replays the resource the
 * first attempt produced; with different input it is refused (REQUEST_ID_REUSED). Runs inside the caller's transaction,
 * so the remembered id commits with the change.
 */
@ApplicationScoped
public class RequestIds {

    private static final int MAX_LENGTH = 128;

    private final Clock clock;

    public RequestIds(Clock clock) {
        this.clock = clock;
    }

    /** The resource name a previous attempt produced, if {@code requestId} was used before. */
    public Uni<Optional<String>> previous(String requestId, String operation, String... input) {
        if (requestId == null || requestId.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        if (requestId.length() > MAX_LENGTH) {
            throw RegistryException.invalidField(ErrorReason.INVALID_ARGUMENT, "request_id",
                    "must be at most " + MAX_LENGTH + " characters");
        }
        String fingerprint = fingerprint(operation, input);
        return RequestIdEntity.<RequestIdEntity>findById(requestId).map(found -> {
            if (found == null) {
                return Optional.empty();
            }
            if (!found.operation.equals(operation) || !found.fingerprint.equals(fingerprint)) {
                throw RegistryException.of(ErrorReason.REQUEST_ID_REUSED,
                        "request_id '" + requestId + "' was already used for a different request",
                        Map.of("request_id", requestId, "first_resource", found.resource));
            }
            return Optional.of(found.resource);
        });
    }

    /** Remembers that {@code requestId} produced {@code resource}. */
    public Uni<Void> remember(String requestId, String operation, String resource, String... input) {
        if (requestId == null || requestId.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        RequestIdEntity entity = new RequestIdEntity();
        entity.requestId = requestId;
        entity.operation = operation;
        entity.fingerprint = fingerprint(operation, input);
        entity.resource = resource;
        entity.createTime = OffsetDateTime.now(clock).truncatedTo(ChronoUnit.MICROS);
        return entity.persist().replaceWithVoid();
    }

    private static String fingerprint(String operation, String... input) {
        return Sha256.hex(operation + "\u0000" + String.join("\u0000", input));
    }
}
