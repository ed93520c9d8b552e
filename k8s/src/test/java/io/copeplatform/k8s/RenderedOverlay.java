package io.copeplatform.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The objects one overlay renders to, as {@code kubectl kustomize} (kubectl's built-in Kustomize) writes them: exactly
 * what {@code kubectl apply -k} would send to the API server.
 */
record RenderedOverlay(String name, List<KubeObject> objects) {

    /** One rendered object. */
    record KubeObject(String apiVersion, String kind, String name, JsonObject body) {

        @Override
        public String toString() {
            return apiVersion + " " + kind + " " + name;
        }
    }

    static final Path K8S_DIR = Path.of("").toAbsolutePath();

    private static final Map<String, RenderedOverlay> RENDERED = new ConcurrentHashMap<>();

    /** The overlay under {@code overlays/}, rendered once per test JVM. */
    static RenderedOverlay render(String overlay) {
        return RENDERED.computeIfAbsent(overlay, RenderedOverlay::kustomize);
    }

    private static RenderedOverlay kustomize(String overlay) {
        Path dir = K8S_DIR.resolve("overlays").resolve(overlay);
        try {
            Path output = Files.createTempFile("kustomize-" + overlay, ".yaml");
            try {
                Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                if (!kubectl.waitFor(60, TimeUnit.SECONDS)) {
                    kubectl.destroyForcibly();
                    throw new IllegalStateException("kubectl kustomize " + dir + " did not finish within 60 s");
                }
                String yaml = Files.readString(output, StandardCharsets.UTF_8);
                if (kubectl.exitValue() != 0) {
                    throw new IllegalStateException("kubectl kustomize " + dir + " failed:\n" + yaml);
                }
                return new RenderedOverlay(overlay, parse(yaml));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot run kubectl (kubectl >= 1.27 with its built-in Kustomize must be on "
                            + "the PATH; .ci/run checks for it): " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<KubeObject> parse(String yaml) {
        Gson gson = new Gson();
        List<KubeObject> objects = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (document == null) {
                continue;
            }
            JsonObject body = gson.toJsonTree((Map<?, ?>) document).getAsJsonObject();
            objects.add(new KubeObject(body.get("apiVersion").getAsString(), body.get("kind").getAsString(),
                    body.getAsJsonObject("metadata").get("name").getAsString(), body));
        }
        return objects;
    }

    Stream<KubeObject> ofKind(String kind) {
        return objects.stream().filter(object -> object.kind().equals(kind));
    }

    KubeObject get(String kind, String name) {
        return ofKind(kind).filter(object -> object.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(this.name + ": no " + kind + " named " + name));
    }

    boolean has(String kind, String name) {
        return ofKind(kind).anyMatch(object -> object.name().equals(name));
    }

    /** The containers of every Deployment, with the Deployment they run in. */
    Stream<Container> containers() {
        return ofKind("Deployment").flatMap(deployment -> stream(podSpec(deployment).getAsJsonArray("containers"))
                .map(container -> new Container(deployment, container.getAsJsonObject())));
    }

    /** A container and its Deployment. */
    record Container(KubeObject deployment, JsonObject spec) {

        String name() {
            return spec.get("name").getAsString();
        }

        Stream<JsonObject> env() {
            return spec.has("env")
                    ? stream(spec.getAsJsonArray("env")).map(JsonElement::getAsJsonObject)
                    : Stream.empty();
        }

        /** The literal value of environment variable {@code name}; fails when it is absent or not a literal. */
        String envValue(String name) {
            return env().filter(variable -> variable.get("name").getAsString().equals(name)).findFirst()
                    .filter(variable -> variable.has("value")).map(variable -> variable.get("value").getAsString())
                    .orElseThrow(() -> new AssertionError(name() + " has no literal " + name));
        }
    }

    static JsonObject podSpec(KubeObject deployment) {
        return deployment.body().getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    }

    static Stream<JsonElement> stream(JsonArray array) {
        return array == null ? Stream.empty() : array.asList().stream();
    }
}
