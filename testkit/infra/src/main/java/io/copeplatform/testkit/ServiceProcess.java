package io.copeplatform.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One platform service (a Quarkus fast-jar) run as a child JVM (by the local launcher, and by tests that need a real
 * neighbour service): configured through environment variables, logging to a file, ready when its readiness endpoint
 * answers 200, stopped with SIGTERM (graceful) then SIGKILL.
 */
public final class ServiceProcess implements AutoCloseable {

    /**
     * Lean child JVMs for tests' neighbour services: the build machine has two cores and runs PostgreSQL and Kafka too.
     */
    public static final List<String> LEAN_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final int port;
    private final Process process;

    private ServiceProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /** Starts {@code jar} on {@code port} (0 = a free port) with a 512 MB heap and waits until it is ready. */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> env, Path logDir) {
        return start(name, jar, port, env, logDir, List.of("-Xmx512m"));
    }

    /**
     * Starts {@code jar} on {@code port} (0 = a free port) with the given JVM options (e.g. a small heap and a fast
     * start-up for tests' neighbour services) and waits until it is ready.
     */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> env, Path logDir,
            List<String> jvmOptions) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " not found: build first (./mvnw -B -ntp -DskipTests install)");
        }
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new java.util.ArrayList<>();
            command.add(java);
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            int chosen = port == 0 ? KafkaBroker.freePort() : port;
            builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(chosen));
            ServiceProcess service = new ServiceProcess(name, chosen, builder.start());
            service.awaitReady(log);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name, e);
        }
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    private void awaitReady(Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + name, e);
            }
        }
        close();
        throw new IllegalStateException(name + " not ready after " + READY_TIMEOUT + "; see " + log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public String toString() {
        return name;
    }
}
