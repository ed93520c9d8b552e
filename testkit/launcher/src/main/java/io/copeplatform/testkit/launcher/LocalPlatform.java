package io.copeplatform.testkit.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

import io.copeplatform.testkit.EmbeddedPostgresServer;
import io.copeplatform.testkit.KafkaBroker;

/**
 * Runs the platform locally on its embedded defaults: a real PostgreSQL and a single-node Kafka whose data persist in a
 * local folder, then the services. Prints where everything is; Ctrl-C stops everything in reverse order.
 */
public final class LocalPlatform {

    private final LauncherOptions options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    LocalPlatform(LauncherOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws InterruptedException {
        // Embedded PostgreSQL narrates every step at INFO; the launcher prints its own summary instead.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(LauncherOptions.USAGE);
            return;
        }
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        LocalPlatform platform = new LocalPlatform(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            platform.stop();
            stopped.countDown();
        }, "cope-local-stop"));
        try {
            platform.start();
        } catch (RuntimeException e) {
            System.err.println("Start failed: " + e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    void start() {
        log("data dir: " + options.dataDir());
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer
                .startPersistent(options.dataDir().resolve("postgres"), options.postgresPort());
        started.push(postgres);
        log("PostgreSQL  jdbc:postgresql://localhost:" + postgres.port() + "/postgres  (user "
                + EmbeddedPostgresServer.USER + ")");

        KafkaBroker kafka = KafkaBroker.startPersistent(options.dataDir().resolve("kafka"), options.kafkaPort(),
                options.kafkaControllerPort());
        started.push(kafka);
        log("Kafka       bootstrap.servers=" + kafka.bootstrapServers());

        log("ready. Press Ctrl-C to stop.");
    }

    synchronized void stop() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                System.err.println("[cope-local] error while stopping " + component + ": " + e);
            }
        }
        log("stopped.");
    }

    private static void log(String message) {
        System.out.println("[cope-local] " + message);
    }
}
