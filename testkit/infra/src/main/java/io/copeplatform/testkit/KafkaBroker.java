package io.copeplatform.testkit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.copeplatform.testkit.kafka.KafkaBrokerMain;

/**
 * A real single-node Kafka (KRaft) running in a child JVM, so broker, Scala and log4j jars never reach the caller's
 * classpath. The child exits when this JVM closes its stdin, including when this JVM dies: it cannot be orphaned.
 * <p>
 * The broker keeps its ports and data dir across {@link #stop()} / {@link #start()}, so tests can take Kafka down and
 * bring the same cluster back at the same address.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String CLASSPATH_RESOURCE = "META-INF/cope/kafka-broker.classpath";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final boolean deleteDataOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private Process process;

    private KafkaBroker(Path dataDir, boolean deleteDataOnClose, int brokerPort, int controllerPort) {
        this.dataDir = dataDir;
        this.deleteDataOnClose = deleteDataOnClose;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
    }

    /** Starts a broker on free ports with data in a temp dir that {@link #close()} deletes. */
    public static KafkaBroker startTemporary() {
        try {
            KafkaBroker broker = new KafkaBroker(Files.createTempDirectory("cope-kafka-"), true, freePort(),
                    freePort());
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a broker whose data persists in {@code dataDir}; a port of 0 means any free port. */
    public static KafkaBroker startPersistent(Path dataDir, int brokerPort, int controllerPort) {
        KafkaBroker broker = new KafkaBroker(dataDir, false, brokerPort == 0 ? freePort() : brokerPort,
                controllerPort == 0 ? freePort() : controllerPort);
        broker.start();
        return broker;
    }

    /** The {@code bootstrap.servers} value for clients. */
    public String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the child JVM and waits until the broker serves clients. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolve("broker.log");
            List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", childClasspath(), KafkaBrokerMain.class.getName(),
                    dataDir.toString(), String.valueOf(brokerPort), String.valueOf(controllerPort)));
            process = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitReady(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the Kafka broker JVM", e);
        }
    }

    /** Stops the broker (clean shutdown), keeping its data and ports for a later {@link #start()}. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (deleteDataOnClose) {
            Directories.deleteRecursively(dataDir);
        }
    }

    private static void awaitReady(Process process, Path log) throws IOException {
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> pumpStdout(process.getInputStream(), ready, log), "kafka-broker-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            String line = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("Kafka broker JVM exited before it was ready; see " + log);
            }
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("Kafka broker not ready after " + START_TIMEOUT + "; see " + log, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka broker failed to start; see " + log, e.getCause());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting Kafka", e);
        }
    }

    /** Completes {@code ready} with the READY line (or null on exit) and keeps draining stdout into the log. */
    private static void pumpStdout(InputStream stdout, CompletableFuture<String> ready, Path log) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
                OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!ready.isDone() && line.startsWith("READY ")) {
                    ready.complete(line);
                }
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            ready.completeExceptionally(e);
        } finally {
            ready.complete(null);
        }
    }

    private static String childClasspath() throws IOException {
        try (InputStream in = KafkaBroker.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_RESOURCE + " not found: build testkit/kafka-broker first");
            }
            String dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            Path launcherJar = Path
                    .of(KafkaBrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return launcherJar + File.pathSeparator + dependencies;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
