package io.copeplatform.registry.repository;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.copeplatform.registry.config.RegistryConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Keeps one dedicated PostgreSQL connection LISTENing on {@value #CHANNEL} (notified by the triggers of migration V2 at
 * every committed change ResolvePolicy can see) and forwards each notification to the {@link ResolutionCache}.
 * <p>
 * The cache is used only while notifications provably arrive: after LISTEN, and then every
 * {@code registry.resolve-cache.probe-interval}, the connection notifies the channel with a probe of its own and must
 * hear it back within {@code probe-timeout}. The cache starts at the first answered probe and stops when one goes
 * unanswered (a hung backend, a silently dropped connection, a pooler that does not keep the session) or the connection
 * closes; a new connection is then tried every {@code reconnect-interval}. So a broken notification path can leave the
 * cache stale for at most about probe-interval + probe-timeout. The connection uses the service's reactive URL and
 * credentials ({@code quarkus.datasource.reactive.url}, {@code username}, {@code password}).
 */
@ApplicationScoped
public class ResolutionChangeListener {

    static final String CHANNEL = "registry_resolution_changes";
    /** Payloads of probes (every replica's); anything else on the channel is a policy id. */
    private static final String PROBE_PREFIX = "probe:";
    private static final Logger LOG = Logger.getLogger(ResolutionChangeListener.class);

    private final Vertx vertx;
    private final ResolutionCache cache;
    private final RegistryConfig.ResolveCache settings;
    private final PgConnectOptions options;
    private volatile boolean stopped;
    private volatile Session session;
    private volatile int failedAttempts; // attempts run one after another

    public ResolutionChangeListener(Vertx vertx, ResolutionCache cache, RegistryConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.cache = cache;
        this.settings = config.resolveCache();
        this.options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", "")).setUser(user)
                .setPassword(password).addProperty("application_name", "policy-registry resolution listener");
    }

    void start(@Observes StartupEvent event) {
        if (settings.enabled()) {
            connect();
        } else {
            LOG.info("Resolution cache disabled (registry.resolve-cache.enabled=false): every ResolvePolicy queries "
                    + "PostgreSQL");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        Session current = session;
        if (current != null) {
            current.connection.close();
        }
    }

    /** The backend process id of the listening connection (tests end or freeze it), or -1. */
    public int backendPid() {
        Session current = session;
        return current == null ? -1 : current.connection.processId();
    }

    private void connect() {
        PgConnection.connect(vertx, options).onComplete(connected -> {
            if (connected.failed()) {
                // One WARN per outage, not one per attempt.
                LOG.logf(failedAttempts++ == 0 ? Logger.Level.WARN : Logger.Level.DEBUG,
                        "Resolution cache not in use: cannot connect to PostgreSQL to listen for changes (%s); "
                                + "retrying every %d ms",
                        connected.cause().getMessage(), settings.reconnectInterval().toMillis());
                connectLater();
                return;
            }
            failedAttempts = 0;
            session = new Session(connected.result());
            session.listen();
        });
    }

    private void connectLater() {
        if (!stopped) {
            vertx.setTimer(Math.max(1, settings.reconnectInterval().toMillis()), ignored -> connect());
        }
    }

    /** One listening connection and its probes; all its callbacks run on the connection's event loop. */
    private final class Session {

        final PgConnection connection;
        private String awaitedProbe;
        private long probeDeadline = -1;
        private boolean abandoned; // a probe went unanswered: this connection never serves the cache again

        Session(PgConnection connection) {
            this.connection = connection;
        }

        void listen() {
            connection.notificationHandler(notification -> heard(notification.getPayload()));
            connection.closeHandler(closed -> closed());
            connection.query("LISTEN " + CHANNEL).execute().onComplete(listening -> {
                if (listening.succeeded()) {
                    probe();
                } else {
                    LOG.warnf("Resolution cache not in use: LISTEN failed (%s)", listening.cause().getMessage());
                    connection.close(); // closed() reconnects
                }
            });
        }

        private void heard(String payload) {
            if (!payload.startsWith(PROBE_PREFIX)) {
                cache.invalidate(payload);
            } else if (payload.equals(awaitedProbe) && !abandoned && session == this) {
                awaitedProbe = null;
                vertx.cancelTimer(probeDeadline);
                if (!cache.listening()) {
                    cache.startListening();
                    LOG.infof("Resolution cache in use: listening on %s", CHANNEL);
                }
                vertx.setTimer(Math.max(1, settings.probeInterval().toMillis()), ignored -> probe());
            } // another replica's probe: nothing to do
        }

        private void probe() {
            if (stopped || session != this) {
                return;
            }
            String probe = PROBE_PREFIX + UUID.randomUUID();
            awaitedProbe = probe;
            probeDeadline = vertx.setTimer(Math.max(1, settings.probeTimeout().toMillis()), ignored -> {
                if (probe.equals(awaitedProbe)) {
                    // Replaced at once: closing a hung connection may take as long as the hang.
                    abandoned = true;
                    LOG.warnf("Resolution cache not in use: a change notification took over %d ms to arrive; "
                            + "reconnecting", settings.probeTimeout().toMillis());
                    end();
                    connection.close();
                }
            });
            // A failed send is the same as an unanswered probe: the deadline handles it.
            connection.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, probe));
        }

        private void closed() {
            vertx.cancelTimer(probeDeadline);
            if (session == this && !stopped) {
                LOG.warnf("Resolution cache not in use: the connection listening for changes closed; "
                        + "reconnecting in %d ms", settings.reconnectInterval().toMillis());
            }
            end();
        }

        /** This connection no longer vouches for the cache; a new one is tried (once per session). */
        private void end() {
            if (session == this) {
                session = null;
                cache.stopListening();
                connectLater();
            }
        }
    }
}
