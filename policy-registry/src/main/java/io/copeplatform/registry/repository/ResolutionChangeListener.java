package io.copeplatform.registry.repository;

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

/**
 * Keeps one dedicated PostgreSQL connection LISTENing on {@code registry_resolution_changes} (notified by the triggers
 * of migration V2 at every committed change ResolvePolicy can see) and forwards each notification to the
 * {@link ResolutionCache}. The cache is used only while the LISTEN stands: a failed or lost connection stops it at
 * once, and a new connection is tried every {@code registry.resolve-cache.reconnect-interval}. The connection uses the
 * service's reactive URL and credentials ({@code quarkus.datasource.reactive.url}, {@code username}, {@code password}).
 */
@ApplicationScoped
public class ResolutionChangeListener {

    static final String CHANNEL = "registry_resolution_changes";
    private static final Logger LOG = Logger.getLogger(ResolutionChangeListener.class);

    private final Vertx vertx;
    private final ResolutionCache cache;
    private final RegistryConfig config;
    private final PgConnectOptions options;
    private volatile boolean stopped;
    private volatile PgConnection connection;
    private volatile int failedAttempts; // attempts run one after another

    public ResolutionChangeListener(Vertx vertx, ResolutionCache cache, RegistryConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.cache = cache;
        this.config = config;
        this.options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", "")).setUser(user)
                .setPassword(password).addProperty("application_name", "policy-registry resolution listener");
    }

    void start(@Observes StartupEvent event) {
        if (config.resolveCache().enabled()) {
            listen();
        } else {
            LOG.info("Resolution cache disabled (registry.resolve-cache.enabled=false): every ResolvePolicy queries "
                    + "PostgreSQL");
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        PgConnection current = connection;
        if (current != null) {
            current.close();
        }
    }

    private void listen() {
        PgConnection.connect(vertx, options).onComplete(connected -> {
            if (connected.failed()) {
                // One WARN per outage, not one per attempt.
                LOG.logf(failedAttempts++ == 0 ? Logger.Level.WARN : Logger.Level.DEBUG,
                        "Resolution cache not in use: cannot connect to PostgreSQL to listen for changes (%s); "
                                + "retrying every %d ms",
                        connected.cause().getMessage(), config.resolveCache().reconnectInterval().toMillis());
                retryLater();
                return;
            }
            failedAttempts = 0;
            PgConnection conn = connected.result();
            connection = conn;
            conn.notificationHandler(notification -> cache.invalidate(notification.getPayload()));
            conn.closeHandler(closed -> {
                cache.stopListening();
                connection = null;
                if (!stopped) {
                    LOG.warnf("Resolution cache not in use: the connection listening for changes closed; "
                            + "reconnecting in %d ms", config.resolveCache().reconnectInterval().toMillis());
                    retryLater();
                }
            });
            conn.query("LISTEN " + CHANNEL).execute().onComplete(listening -> {
                if (listening.succeeded()) {
                    cache.startListening();
                    LOG.infof("Resolution cache in use: listening on %s", CHANNEL);
                } else {
                    LOG.warnf("Resolution cache not in use: LISTEN failed (%s)", listening.cause().getMessage());
                    conn.close(); // the close handler retries
                }
            });
        });
    }

    private void retryLater() {
        if (!stopped) {
            vertx.setTimer(Math.max(1, config.resolveCache().reconnectInterval().toMillis()), ignored -> listen());
        }
    }

    /** The backend process id of the listening connection (tests end it to simulate a lost connection), or -1. */
    public int backendPid() {
        PgConnection current = connection;
        return current == null ? -1 : current.processId();
    }
}
