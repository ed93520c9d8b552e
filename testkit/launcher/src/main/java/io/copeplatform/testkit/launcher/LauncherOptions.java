package io.copeplatform.testkit.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * Command-line options of the local launcher. Every option has an environment-variable twin so that
 * {@code ./run-local.sh} can be configured without editing anything.
 *
 * @param dataDir
 *            where PostgreSQL and Kafka keep their data across restarts ({@code --data-dir},
 *            {@code COPE_LOCAL_DATA_DIR}, default {@code .local})
 * @param postgresPort
 *            PostgreSQL port ({@code --postgres-port}, {@code COPE_LOCAL_POSTGRES_PORT}, default 55432)
 * @param kafkaPort
 *            Kafka client port ({@code --kafka-port}, {@code COPE_LOCAL_KAFKA_PORT}, default 59092)
 * @param kafkaControllerPort
 *            Kafka KRaft controller port ({@code --kafka-controller-port}, {@code COPE_LOCAL_KAFKA_CONTROLLER_PORT},
 *            default 59093)
 */
public record LauncherOptions(Path dataDir, int postgresPort, int kafkaPort, int kafkaControllerPort,
        int registryPort, int inferencePort, int reviewPort, int labelingPort, Path modelDir) {

    static final String USAGE = """
            usage: run-local.sh [--data-dir DIR] [--postgres-port N] [--kafka-port N] [--kafka-controller-port N]
                               [--registry-port N] [--inference-port N] [--review-port N] [--labeling-port N]
                               [--model-dir DIR]
              --data-dir               data kept across restarts (env COPE_LOCAL_DATA_DIR, default .local)
              --postgres-port          PostgreSQL port (env COPE_LOCAL_POSTGRES_PORT, default 55432)
              --kafka-port             Kafka bootstrap port (env COPE_LOCAL_KAFKA_PORT, default 59092)
              --kafka-controller-port  Kafka controller port (env COPE_LOCAL_KAFKA_CONTROLLER_PORT, default 59093)
              --registry-port          policy-registry HTTP+gRPC port (env COPE_LOCAL_REGISTRY_PORT, default 8081)
              --inference-port         inference-service HTTP+gRPC port (env COPE_LOCAL_INFERENCE_PORT, default 8082)
              --review-port            review-service HTTP+gRPC port (env COPE_LOCAL_REVIEW_PORT, default 8084)
              --labeling-port          labeling-service HTTP+gRPC port (env COPE_LOCAL_LABELING_PORT, default 8083)
              --model-dir              model bundle to serve (env COPE_MODEL_DIR; default: the tiny TEST model)
            """;

    /** Parses {@code args}, falling back to {@code env}, then to the defaults. */
    public static LauncherOptions parse(String[] args, Map<String, String> env) {
        String dataDir = env.getOrDefault("COPE_LOCAL_DATA_DIR", ".local");
        String postgresPort = env.getOrDefault("COPE_LOCAL_POSTGRES_PORT", "55432");
        String kafkaPort = env.getOrDefault("COPE_LOCAL_KAFKA_PORT", "59092");
        String controllerPort = env.getOrDefault("COPE_LOCAL_KAFKA_CONTROLLER_PORT", "59093");
        String registryPort = env.getOrDefault("COPE_LOCAL_REGISTRY_PORT", "8081");
        String inferencePort = env.getOrDefault("COPE_LOCAL_INFERENCE_PORT", "8082");
        String reviewPort = env.getOrDefault("COPE_LOCAL_REVIEW_PORT", "8084");
        String labelingPort = env.getOrDefault("COPE_LOCAL_LABELING_PORT", "8083");
        String modelDir = env.get("COPE_MODEL_DIR");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value for " + option + "\n" + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--data-dir" -> dataDir = value;
                case "--postgres-port" -> postgresPort = value;
                case "--kafka-port" -> kafkaPort = value;
                case "--kafka-controller-port" -> controllerPort = value;
                case "--registry-port" -> registryPort = value;
                case "--inference-port" -> inferencePort = value;
                case "--review-port" -> reviewPort = value;
                case "--labeling-port" -> labelingPort = value;
                case "--model-dir" -> modelDir = value;
                default -> throw new IllegalArgumentException("Unknown option " + option + "\n" + USAGE);
            }
        }
        return new LauncherOptions(Path.of(dataDir).toAbsolutePath().normalize(), port(postgresPort),
                port(kafkaPort), port(controllerPort), port(registryPort), port(inferencePort), port(reviewPort),
                port(labelingPort),
                modelDir == null || modelDir.isBlank() ? null : Path.of(modelDir).toAbsolutePath().normalize());
    }

    private static int port(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("Not a port: " + value);
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a port: " + value, e);
        }
    }
}
