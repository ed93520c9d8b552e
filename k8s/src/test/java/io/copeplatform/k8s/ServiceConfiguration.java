package io.copeplatform.k8s;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.review.config.ReviewConfig;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;

/**
 * What a service can be configured with through its environment, read from the service itself: the {@code ${NAME:…}}
 * placeholders and the keys of its {@code application.properties}, and the properties of its {@code @ConfigMapping} (as
 * environment variables: upper case, every other character {@code _}, the rule SmallRye Config applies). A variable
 * outside this set is silently ignored by the service, the classic way a deployment loses a setting.
 */
final class ServiceConfiguration {

    /** Read by the JVM or a library, not by the service's configuration. */
    static final Map<String, String> PROCESS_VARIABLES = Map.of(
            "JAVA_TOOL_OPTIONS", "the JVM's options (heap share of the container's memory)",
            "QUARKUS_PROFILE", "the active configuration profiles",
            "DJL_CACHE_DIR", "where DJL extracts the tokenizer's native library");

    private static final Map<String, Class<?>> MAPPINGS = Map.of(
            "policy-registry", RegistryConfig.class,
            "inference-service", InferenceConfig.class,
            "labeling-service", LabelingConfig.class,
            "review-service", ReviewConfig.class);

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

    private final Set<String> variables = new HashSet<>();
    private final Set<String> mapPrefixes = new HashSet<>();
    private final Map<String, ConfigMappingInterface.Property> properties;
    private final int httpPort;

    private ServiceConfiguration(String service) {
        Class<?> mapping = MAPPINGS.get(service);
        if (mapping == null) {
            throw new IllegalArgumentException("not a service of this repository: " + service);
        }
        Properties applicationProperties = new Properties();
        Path file = RenderedOverlay.K8S_DIR.resolveSibling(service)
                .resolve("src/main/resources/application.properties");
        try (Reader reader = Files.newBufferedReader(file)) {
            applicationProperties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        httpPort = Integer.parseInt(applicationProperties.getProperty("quarkus.http.port"));
        applicationProperties.forEach((key, value) -> {
            variables.add(environmentName(key.toString().replaceFirst("^%[^.]+\\.", "")));
            Matcher placeholder = PLACEHOLDER.matcher(value.toString());
            while (placeholder.find()) {
                variables.add(placeholder.group(1));
            }
        });
        properties = ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(mapping));
        properties.keySet().forEach(name -> {
            if (name.endsWith(".*")) {
                mapPrefixes.add(environmentName(name.substring(0, name.length() - 1)));
            } else {
                variables.add(environmentName(name));
            }
        });
    }

    private static final Map<String, ServiceConfiguration> READ = new ConcurrentHashMap<>();

    /** The service's configuration, read once per test JVM. */
    static ServiceConfiguration of(String service) {
        return READ.computeIfAbsent(service, ServiceConfiguration::new);
    }

    static String environmentName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The port the service listens on for HTTP and gRPC ({@code quarkus.http.port}). */
    int httpPort() {
        return httpPort;
    }

    boolean reads(String variable) {
        return PROCESS_VARIABLES.containsKey(variable) || variables.contains(variable)
                || mapPrefixes.stream().anyMatch(variable::startsWith);
    }

    /** The default of every mapping property whose name ends with {@code suffix}, e.g. the Kafka topics. */
    Set<String> defaultsOf(String suffix) {
        Set<String> values = new HashSet<>();
        properties.forEach((name, property) -> {
            if (name.endsWith(suffix) && property.hasDefaultValue()) {
                values.add(property.getDefaultValue());
            }
        });
        return values;
    }
}
