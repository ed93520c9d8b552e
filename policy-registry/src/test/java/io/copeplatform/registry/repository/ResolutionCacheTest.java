package io.copeplatform.registry.repository;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyVersionState;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyRequest;
import io.copeplatform.api.policy.v1.ResolvePolicyResponse;
import io.copeplatform.api.policy.v1.UpdatePolicyDraftRequest;
import io.copeplatform.registry.RegistryClient;
import io.copeplatform.registry.repository.PolicyResolver.Resolution;
import io.copeplatform.registry.repository.PolicyResolver.Selector;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The resolution cache never answers what PostgreSQL no longer holds: changes by this service, by another writer (raw
 * SQL here, as another replica or a hand-written fix would be) and changes while its listening connection is lost.
 */
@QuarkusTest
class ResolutionCacheTest {

    private static final Duration NOTIFICATION_WAIT = Duration.ofSeconds(10);
    private static RegistryClient client;

    @Inject
    ResolutionCache cache;
    @Inject
    ResolutionChangeListener listener;
    @Inject
    AgroalDataSource database;

    @BeforeAll
    static void connect() {
        client = new RegistryClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void repeatedResolutionsAreAnsweredFromTheCache() {
        live("cached", 1);
        awaitListening();
        // The first resolution may race the deploy's own notification (which keeps its row out of the cache): the
        // property is that resolutions settle on hits.
        Awaitility.await().atMost(NOTIFICATION_WAIT).until(() -> {
            resolve("cached@live");
            long hits = cache.stats().hitCount();
            ResolvePolicyResponse again = resolve("cached@live");
            return again.getVersion() == 1 && cache.stats().hitCount() == hits + 1;
        });
    }

    @Test
    void thisServicesOwnChangeIsReadAtOnceEvenBeforeItsNotificationArrives() throws Exception {
        live("own", 2);
        awaitListening();
        assertEquals(1, resolve("own@live").getVersion());
        assertEquals(1, resolve("own@live").getVersion(), "cached");
        // Frozen, the listening backend can deliver no notification: only the deploy's own invalidation can help.
        // (Its probes are answered within milliseconds, so no probe deadline falls in this short window.)
        int backend = listener.backendPid();
        signal("STOP", backend);
        ResolvePolicyResponse now;
        boolean stillListening;
        try {
            client.blocking().deployPolicyVersion(DeployPolicyVersionRequest.newBuilder()
                    .setName("policies/own/versions/2").setThreshold(0.7).build());
            now = resolve("own@live");
            stillListening = cache.listening();
        } finally {
            signal("CONT", backend);
        }
        assertTrue(stillListening, "the cache was in use throughout");
        assertEquals(2, now.getVersion(), "dropped before the deploy returned");
        assertEquals(0.7, now.getThreshold(), 1e-9);
    }

    @Test
    void aChangeMadeWithReplicationRoleReplicaIsHeardToo() throws SQLException {
        live("replica-role", 2);
        awaitListening();
        assertEquals(1, resolve("replica-role@live").getVersion());
        sql("SET session_replication_role = replica; "
                + "UPDATE registry.policies SET live_version = 2 WHERE id = 'replica-role'; "
                + "SET session_replication_role = origin");
        Awaitility.await().atMost(NOTIFICATION_WAIT)
                .until(() -> resolve("replica-role@live").getVersion() == 2);
    }

    @Test
    void aChangeCommittedByAnotherWriterIsHeard() throws SQLException {
        live("elsewhere", 2);
        awaitListening();
        assertEquals(1, resolve("elsewhere@live").getVersion());
        assertEquals(1, resolve("elsewhere/versions/1").getVersion());
        sql("UPDATE registry.policies SET live_version = 2, live_threshold = 0.8 WHERE id = ?", "elsewhere");
        sql("UPDATE registry.policy_versions SET state = 'DEPRECATED' WHERE policy_id = ? AND version = 1",
                "elsewhere");
        Awaitility.await().atMost(NOTIFICATION_WAIT)
                .until(() -> resolve("elsewhere@live").getVersion() == 2);
        assertEquals(0.8, resolve("elsewhere@live").getThreshold(), 1e-9);
        Awaitility.await().atMost(NOTIFICATION_WAIT).until(
                () -> resolve("elsewhere/versions/1").getState() == PolicyVersionState.POLICY_VERSION_STATE_DEPRECATED);
    }

    @Test
    void aLostListeningConnectionStopsTheCacheUntilItListensAgain() throws SQLException {
        live("listener-outage", 2);
        awaitListening();
        assertEquals(1, resolve("listener-outage@live").getVersion());

        int backend = listener.backendPid();
        sql("SELECT pg_terminate_backend(" + backend + ")");
        Awaitility.await().atMost(NOTIFICATION_WAIT).until(() -> !cache.listening());
        // Unheard change: while not listening, every resolution goes to PostgreSQL.
        sql("UPDATE registry.policies SET live_version = 2 WHERE id = ?", "listener-outage");
        assertEquals(2, resolve("listener-outage@live").getVersion());

        Awaitility.await().atMost(NOTIFICATION_WAIT).until(cache::listening);
        assertTrue(listener.backendPid() != backend, "a new connection listens");
        assertEquals(2, resolve("listener-outage@live").getVersion());
        sql("UPDATE registry.policies SET live_version = 1 WHERE id = ?", "listener-outage");
        Awaitility.await().atMost(NOTIFICATION_WAIT)
                .until(() -> resolve("listener-outage@live").getVersion() == 1);
    }

    @Test
    void aListeningConnectionThatGoesSilentIsNoticedAndReplaced() throws Exception {
        live("listener-frozen", 2);
        awaitListening();
        assertEquals(1, resolve("listener-frozen@live").getVersion());

        // A frozen backend keeps its socket open and says nothing: only the probe can tell.
        int backend = listener.backendPid();
        signal("STOP", backend);
        try {
            Awaitility.await().atMost(NOTIFICATION_WAIT).until(() -> !cache.listening());
            sql("UPDATE registry.policies SET live_version = 2 WHERE id = ?", "listener-frozen");
            assertEquals(2, resolve("listener-frozen@live").getVersion());
            // Replaced while the old backend is still frozen: nothing waits for the hung connection to close.
            Awaitility.await().atMost(NOTIFICATION_WAIT).until(cache::listening);
            assertTrue(listener.backendPid() != backend, "a new connection listens");
        } finally {
            signal("CONT", backend);
        }
        assertEquals(2, resolve("listener-frozen@live").getVersion());
        sql("UPDATE registry.policies SET live_version = 1 WHERE id = ?", "listener-frozen");
        Awaitility.await().atMost(NOTIFICATION_WAIT)
                .until(() -> resolve("listener-frozen@live").getVersion() == 1);
    }

    @Test
    void aLoadThatRacedWithAChangeIsNotStored() {
        awaitListening();
        // An id no policy has (it stays cached after this test: creating a policy does not notify).
        ResolutionCache.Key key = new ResolutionCache.Key("cache-race-test-only", Selector.LIVE, 0);
        Resolution before = row(1);
        UniEmitter<? super Resolution>[] pending = new UniEmitter[1];
        Uni<Resolution> racing = cache.get(key, () -> Uni.createFrom().emitter(emitter -> pending[0] = emitter));
        Resolution[] seen = new Resolution[1];
        racing.subscribe().with(found -> seen[0] = found);

        cache.invalidate("cache-race-test-only"); // the change commits while the load is in flight ...
        pending[0].complete(before); // ... and the load then returns what it read before it
        assertEquals(before, seen[0]);

        AtomicInteger loads = new AtomicInteger();
        Resolution after = cache.get(key, () -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(row(2));
        }).await().indefinitely();
        assertEquals(1, loads.get(), "the raced row was not stored");
        assertEquals(2, after.version());
        Resolution cached = cache.get(key, () -> {
            loads.incrementAndGet();
            return Uni.createFrom().item(row(3));
        }).await().indefinitely();
        assertEquals(2, cached.version(), "an unraced load is stored");
        assertEquals(1, loads.get());
        assertFalse(cached == before);
    }

    private static Resolution row(int version) {
        return new Resolution(version, 0.5, version, version, "text", "sha", "ACTIVE", null);
    }

    /** A policy with {@code versions} published versions and version 1 live. */
    private static void live(String id, int versions) {
        String etag = client.create(id, GOOD_POLICY).getDraft().getEtag();
        for (int v = 1; v <= versions; v++) {
            if (v > 1) {
                etag = client.blocking().updatePolicyDraft(UpdatePolicyDraftRequest.newBuilder()
                        .setDraft(PolicyDraft.newBuilder().setName("policies/" + id + "/draft").setEtag(etag)
                                .setText(GOOD_POLICY + "\nRevision " + v + ".\n"))
                        .build()).getDraft().getEtag();
            }
            client.blocking().publishPolicyVersion(
                    PublishPolicyVersionRequest.newBuilder().setParent("policies/" + id).build());
        }
        client.blocking().deployPolicyVersion(DeployPolicyVersionRequest.newBuilder()
                .setName("policies/" + id + "/versions/1").build());
    }

    private static ResolvePolicyResponse resolve(String reference) {
        return client.blocking()
                .resolvePolicy(ResolvePolicyRequest.newBuilder().setReference("policies/" + reference).build());
    }

    /** Sends a signal to a local process (the embedded PostgreSQL's backends run on this machine). */
    private static void signal(String signal, int pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
    }

    private void awaitListening() {
        Awaitility.await().atMost(NOTIFICATION_WAIT).until(cache::listening);
    }

    private void sql(String statement, String... parameters) throws SQLException {
        try (Connection connection = database.getConnection();
                PreparedStatement update = connection.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                update.setString(i + 1, parameters[i]);
            }
            update.execute();
        }
    }
}
