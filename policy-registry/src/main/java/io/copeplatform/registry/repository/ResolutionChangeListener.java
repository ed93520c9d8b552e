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
 * hear it back within {@code probe-timeout}. Each answered probe vouches for the cache until its send time +
 * probe-interval + probe-timeout ({@link ResolutionCache#vouch}), so not even an event loop too busy to notice a late
 * probe can stretch that bound. An unanswered probe (a hung backend, a silently dropped connection) or a closed
 * connection stops the cache at once; a new connection is then tried every {@code reconnect-interval}, and the backend
 * of a hung one is ended so that it cannot hold back PostgreSQL's notification queue. The connection uses the service's
 * reactive URL and credentials ({@code quarkus.datasource.reactive.url}, {@code username}, {@code password}).
 */
@ApplicationScoped
public class ResolutionChangeListener {

    static final String CHANNEL = "registry_resolution_changes";
    /** Payloads of probes (every replica's); anything else on the channel is a policy id or {@link #ALL}. */
    private static final String PROBE_PREFIX = "probe:";
    /** Payload of a change whose policies are unknown (a TRUNCATE). */
    private static final String ALL = "*";
    private static final Logger LOG = Logger.getLogger(ResolutionChangeListener.class);

    private final Vertx vertx;
    private final ResolutionCache cache;
    private final RegistryConfig.ResolveCache settings;
    private final PgConnectOptions options;
    private volatile boolean stopped;
    private volatile Session session;
    private volatile int failedAttempts; // attempts run one after another
    /** The backend of a connection given up on while hung (it would hold back PostgreSQL's notification queue). */
    private volatile int abandonedBackend = -1;

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
            if (stopped) {
                connected.result().close();
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
        private long probeSentAt;
        private long probeDeadline = -1;
        private boolean abandoned; // a probe went unanswered: this connection never vouches for the cache again

        Session(PgConnection connection) {
            this.connection = connection;
        }

        void listen() {
            connection.notificationHandler(notification -> heard(notification.getPayload()));
            connection.closeHandler(closed -> closed());
            String first = expectProbe(); // the deadline covers the LISTEN too
            connection.query("LISTEN " + CHANNEL).execute().onComplete(listening -> {
                if (listening.failed()) {
                    LOG.warnf("Resolution cache not in use: LISTEN failed (%s)", listening.cause().getMessage());
                    connection.close(); // closed() reconnects
                    return;
                }
                sendProbe(first);
                endAbandonedBackend();
            });
        }

        private void heard(String payload) {
            if (ALL.equals(payload)) {
                cache.invalidateAll();
            } else if (!payload.startsWith(PROBE_PREFIX)) {
                cache.invalidate(payload);
            } else if (payload.equals(awaitedProbe) && !abandoned && session == this) {
                // Every change committed before the probe was sent has been heard (notifications arrive in order).
                awaitedProbe = null;
                vertx.cancelTimer(probeDeadline);
                boolean wasListening = cache.listening();
                cache.vouch(probeSentAt + settings.probeInterval().toNanos() + settings.probeTimeout().toNanos());
                if (!wasListening) {
                    LOG.infof("Resolution cache in use: listening on %s", CHANNEL);
                }
                vertx.setTimer(Math.max(1, settings.probeInterval().toMillis()), ignored -> {
                    if (!stopped && session == this) {
                        sendProbe(expectProbe());
                    }
                });
            } // another replica's probe: nothing to do
        }

        /** A new probe and its deadline: unanswered by then, this connection is given up on. */
        private String expectProbe() {
            String probe = PROBE_PREFIX + UUID.randomUUID();
            awaitedProbe = probe;
            probeSentAt = System.nanoTime();
            probeDeadline = vertx.setTimer(Math.max(1, settings.probeTimeout().toMillis()), ignored -> {
                if (probe.equals(awaitedProbe)) {
                    // Replaced at once: closing a hung connection may take as long as the hang.
                    abandoned = true;
                    abandonedBackend = connection.processId();
                    LOG.warnf("Resolution cache not in use: a change notification took over %d ms to arrive; "
                            + "reconnecting", settings.probeTimeout().toMillis());
                    end();
                    connection.close();
                }
            });
            return probe;
        }

        private void sendProbe(String probe) {
            // A failed send is the same as an unanswered probe: the deadline handles it.
            connection.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(CHANNEL, probe));
        }

        /** Ends the backend of a connection given up on while hung, if any (best effort; same role). */
        private void endAbandonedBackend() {
            int pid = abandonedBackend;
            if (pid > 0) {
                abandonedBackend = -1;
                connection.preparedQuery("SELECT pg_terminate_backend($1)").execute(Tuple.of(pid))
                        .onFailure(e -> LOG.debugf("Could not end backend %d: %s", pid, e.getMessage()));
            }
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
