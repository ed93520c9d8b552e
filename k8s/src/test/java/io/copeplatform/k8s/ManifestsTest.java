package io.copeplatform.k8s;

import static io.copeplatform.k8s.RenderedOverlay.podSpec;
import static io.copeplatform.k8s.RenderedOverlay.stream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import io.copeplatform.k8s.RenderedOverlay.Container;
import io.copeplatform.k8s.RenderedOverlay.KubeObject;

/**
 * Renders each overlay exactly as {@code kubectl apply -k} would and checks what would be applied: against the
 * Kubernetes API schema, and against the services themselves, so that a renamed configuration key, port or topic breaks
 * the build instead of a deployment.
 */
class ManifestsTest {

    private static final List<String> SERVICES = List.of("policy-registry", "inference-service", "labeling-service",
            "review-service");

    /** Secrets the operator creates before applying (documented in k8s/README.md), by name. */
    private static final Set<String> OPERATOR_SECRETS = Set.of("cope-llm", "review-oidc");

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyObjectMatchesTheKubernetesApiSchema(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);

        rendered.objects().forEach(KubernetesSchema::validate);
        assertTrue(rendered.objects().stream().allMatch(object -> "cope".equals(
                object.body().getAsJsonObject("metadata").get("namespace").getAsString())), "all in namespace cope");
    }

    @Test
    void theSchemaCheckRejectsUnknownAndMissingFields() {
        // Guards the guard: the models must reject what the API server would.
        KubeObject typo = RenderedOverlay.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      contianers: [{name: x, image: x}]
                """).get(0);
        KubeObject noImageName = RenderedOverlay.parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: x}
                spec:
                  ports: [{name: http, prot: 80}]
                """).get(0);
        KubeObject unknownKind = RenderedOverlay.parse("""
                apiVersion: v1
                kind: Pod
                metadata: {name: x}
                """).get(0);

        assertTrue(assertThrows(IllegalArgumentException.class, () -> KubernetesSchema.validate(typo)).getMessage()
                .contains("contianers"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> KubernetesSchema.validate(noImageName))
                .getMessage().contains("prot"));
        assertThrows(IllegalArgumentException.class, () -> KubernetesSchema.validate(unknownKind));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyServiceRunsOnAPinnedImageWithProbesAndBoundedMemory(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);

        assertEquals(new TreeSet<>(SERVICES),
                rendered.containers().map(Container::name).collect(Collectors.toCollection(
                        TreeSet::new)));
        rendered.containers().forEach(container -> {
            JsonObject spec = container.spec();
            String image = spec.get("image").getAsString();
            assertTrue(image.matches("ghcr\\.io/cope-platform/" + container.name() + ":\\d+\\.\\d+\\.\\d+(-cuda)?"),
                    "pinned image of this repository: " + image);
            assertEquals("/q/health/started", probePath(spec, "startupProbe"), container.name());
            assertEquals("/q/health/ready", probePath(spec, "readinessProbe"), container.name());
            assertEquals("/q/health/live", probePath(spec, "livenessProbe"), container.name());
            JsonObject resources = spec.getAsJsonObject("resources");
            assertEquals(resources.getAsJsonObject("requests").get("memory"),
                    resources.getAsJsonObject("limits").get("memory"), container.name() + ": memory request = limit");
            assertTrue(resources.getAsJsonObject("requests").has("cpu"), container.name());
            assertTrue(spec.getAsJsonObject("securityContext").get("readOnlyRootFilesystem").getAsBoolean());
            assertTrue(stream(spec.getAsJsonArray("volumeMounts"))
                    .anyMatch(mount -> "/tmp".equals(mount.getAsJsonObject().get("mountPath").getAsString())),
                    container.name() + " needs a writable /tmp");
        });
    }

    /** The port each service listens on, from its application.properties (quarkus.http.port). */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void servicesReachTheirPodsOnThePortTheServiceListensOn(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);

        rendered.containers().forEach(container -> {
            int listening = ServiceConfiguration.of(container.name()).httpPort();
            JsonObject port = stream(container.spec().getAsJsonArray("ports")).map(JsonElement::getAsJsonObject)
                    .filter(p -> "http".equals(p.get("name").getAsString())).findFirst()
                    .orElseThrow(() -> new AssertionError(container.name() + " has no port named http"));
            assertEquals(listening, port.get("containerPort").getAsInt(), container.name());
        });
        rendered.ofKind("Service").forEach(service -> {
            JsonObject spec = service.body().getAsJsonObject("spec");
            Map<String, JsonElement> selector = spec.getAsJsonObject("selector").asMap();
            KubeObject deployment = rendered.ofKind("Deployment").filter(d -> labels(d).entrySet().containsAll(
                    selector.entrySet())).findFirst()
                    .orElseThrow(() -> new AssertionError(service + " selects no Deployment's pods"));
            String name = deployment.name();
            int listening = ServiceConfiguration.of(name).httpPort();
            stream(spec.getAsJsonArray("ports")).map(JsonElement::getAsJsonObject).forEach(port -> {
                assertEquals("http", port.get("targetPort").getAsString(), service + " targets the named port");
                assertEquals(listening, port.get("port").getAsInt(), service + ": same port inside and out");
            });
        });
        rendered.ofKind("PodDisruptionBudget").forEach(budget -> assertTrue(rendered.ofKind("Deployment").anyMatch(
                d -> labels(d).entrySet().containsAll(budget.body().getAsJsonObject("spec").getAsJsonObject("selector")
                        .getAsJsonObject("matchLabels").asMap().entrySet())),
                budget + " selects no pods"));
        rendered.ofKind("HorizontalPodAutoscaler").forEach(hpa -> assertTrue(rendered.has("Deployment",
                hpa.body().getAsJsonObject("spec").getAsJsonObject("scaleTargetRef").get("name").getAsString())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyEnvironmentVariableNamesARealConfigurationKeyOfItsService(String overlay) {
        RenderedOverlay.render(overlay).containers().forEach(container -> {
            ServiceConfiguration configuration = ServiceConfiguration.of(container.name());
            List<String> unread = container.env().map(variable -> variable.get("name").getAsString())
                    .filter(name -> !configuration.reads(name)).toList();
            assertEquals(List.of(), unread, container.name() + " would ignore these");
        });
    }

    @Test
    void theConfigurationCheckFindsAMisspeltKey() {
        ServiceConfiguration inference = ServiceConfiguration.of("inference-service");

        assertTrue(inference.reads("INFERENCE_MODEL_DEVICE"));
        assertTrue(inference.reads("INFERENCE_BATCHING_MAX_BATCH_SIZE"));
        assertTrue(inference.reads("REGISTRY_HOST"), "a placeholder of application.properties");
        assertFalse(inference.reads("INFERENCE_DEVICE"));
        assertFalse(inference.reads("INFERENCE_BATCHING_MAX_BATCH"));
        assertTrue(ServiceConfiguration.of("labeling-service").reads("LABELING_LLM_SECRETS_OPENAI"), "a map entry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void whatTheServicesConnectToIsDeclaredInTheSameBundle(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);
        KubeObject kafka = rendered.get("Kafka", "cope-kafka");
        int plainPort = kafka.body().getAsJsonObject("spec").getAsJsonObject("kafka").getAsJsonArray("listeners")
                .get(0).getAsJsonObject().get("port").getAsInt();
        KubeObject postgres = rendered.get("Cluster", "cope-postgres");
        String database = postgres.body().getAsJsonObject("spec").getAsJsonObject("bootstrap")
                .getAsJsonObject("initdb").get("database").getAsString();

        rendered.containers().forEach(container -> {
            assertEquals("cope-kafka-kafka-bootstrap:" + plainPort, container.envValue("KAFKA_BOOTSTRAP_SERVERS"));
            container.env().filter(variable -> variable.get("name").getAsString().endsWith("_URL")
                    && variable.get("name").getAsString().contains("_DB_"))
                    .forEach(url -> assertTrue(url.get("value").getAsString().endsWith("postgresql://cope-postgres-rw"
                            + ":5432/" + database), url.toString()));
            container.env().filter(variable -> variable.get("name").getAsString().endsWith("_HOST"))
                    .forEach(host -> assertTrue(rendered.has("Service", host.get("value").getAsString()),
                            container.name() + ": " + host));
            container.env().filter(variable -> variable.has("valueFrom")
                    && variable.getAsJsonObject("valueFrom").has("secretKeyRef"))
                    .map(variable -> variable.getAsJsonObject("valueFrom").getAsJsonObject("secretKeyRef")
                            .get("name").getAsString())
                    .forEach(secret -> assertTrue(OPERATOR_SECRETS.contains(secret)
                            || secret.equals(postgres.name() + "-app"),
                            container.name() + " reads Secret " + secret
                                    + ", which nothing creates"));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu"})
    void everyTopicTheServicesUseIsDeclared(String overlay) {
        RenderedOverlay rendered = RenderedOverlay.render(overlay);
        Set<String> used = SERVICES.stream().flatMap(service -> ServiceConfiguration.of(service).defaultsOf("topic")
                .stream()).collect(Collectors.toCollection(TreeSet::new));

        assertTrue(used.size() >= 8, "the services' topics: " + used);
        used.forEach(topic -> assertTrue(rendered.has("KafkaTopic", topic), topic + " is not declared"));
    }

    @Test
    void theGpuOverlayPutsInferenceAloneOnTheGpuPoolAndTheCpuOverlayNowhereNearIt() {
        Container gpu = inference(RenderedOverlay.render("gpu"));
        JsonObject gpuPod = podSpec(gpu.deployment());
        Container cpu = inference(RenderedOverlay.render("cpu"));

        assertEquals("cuda", gpu.envValue("INFERENCE_MODEL_DEVICE"), "fails start-up instead of falling back to CPU");
        assertTrue(gpu.spec().get("image").getAsString().endsWith("-cuda"));
        assertEquals("1", gpu.spec().getAsJsonObject("resources").getAsJsonObject("limits").get("nvidia.com/gpu")
                .getAsString());
        assertEquals("true", gpuPod.getAsJsonObject("nodeSelector").get("nvidia.com/gpu.present").getAsString());
        assertTrue(stream(gpuPod.getAsJsonArray("tolerations")).map(JsonElement::getAsJsonObject).anyMatch(
                toleration -> "nvidia.com/gpu".equals(toleration.get("key").getAsString())
                        && "NoSchedule".equals(toleration.get("effect").getAsString())));
        RenderedOverlay.render("gpu").containers().filter(container -> !container.name().equals("inference-service"))
                .forEach(other -> assertFalse(podSpec(other.deployment()).has("tolerations"), other.name()));

        assertEquals("cpu", cpu.envValue("INFERENCE_MODEL_DEVICE"));
        assertFalse(cpu.spec().get("image").getAsString().endsWith("-cuda"));
        assertFalse(cpu.spec().getAsJsonObject("resources").getAsJsonObject("limits").has("nvidia.com/gpu"));
    }

    private static Container inference(RenderedOverlay rendered) {
        return rendered.containers().filter(container -> container.name().equals("inference-service")).findFirst()
                .orElseThrow();
    }

    private static String probePath(JsonObject container, String probe) {
        JsonObject httpGet = container.getAsJsonObject(probe).getAsJsonObject("httpGet");
        assertEquals("http", httpGet.get("port").getAsString(), probe + " on the named port");
        return httpGet.get("path").getAsString();
    }

    private static Map<String, JsonElement> labels(KubeObject deployment) {
        return deployment.body().getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("metadata")
                .getAsJsonObject("labels").asMap();
    }
}
