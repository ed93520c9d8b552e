package io.copeplatform.k8s;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

import com.google.gson.JsonElement;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

/**
 * Checks an object against the Kubernetes API schema (the official client's models, generated from the API server's
 * OpenAPI: unknown fields, missing required fields and wrong shapes are errors) — what a server-side dry run would
 * reject, without a cluster. Custom resources of the operators the platform relies on (CloudNativePG, Strimzi) have no
 * schema here; they are accepted by apiVersion and kind only, and their cross-references are checked by the test.
 */
final class KubernetesSchema {

    private interface Validator {
        void validate(JsonElement object) throws IOException;
    }

    private static final Map<String, Validator> BUILT_IN = Map.of(
            "apps/v1 Deployment", V1Deployment::validateJsonElement,
            "v1 Service", V1Service::validateJsonElement,
            "v1 ServiceAccount", V1ServiceAccount::validateJsonElement,
            "v1 PersistentVolumeClaim", V1PersistentVolumeClaim::validateJsonElement,
            "policy/v1 PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement,
            "autoscaling/v2 HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::validateJsonElement);

    static final Set<String> CUSTOM_RESOURCES = Set.of(
            "postgresql.cnpg.io/v1 Cluster",
            "kafka.strimzi.io/v1beta2 Kafka",
            "kafka.strimzi.io/v1beta2 KafkaNodePool",
            "kafka.strimzi.io/v1beta2 KafkaTopic");

    private KubernetesSchema() {
    }

    /**
     * @throws IllegalArgumentException
     *             naming the object and what is wrong with it
     */
    static void validate(RenderedOverlay.KubeObject object) {
        String type = object.apiVersion() + " " + object.kind();
        Validator validator = BUILT_IN.get(type);
        if (validator == null) {
            if (!CUSTOM_RESOURCES.contains(type)) {
                throw new IllegalArgumentException(object + ": no schema to check it against (a new kind needs its "
                        + "model in KubernetesSchema)");
            }
            return;
        }
        try {
            validator.validate(object.body());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(object + ": " + e.getMessage(), e);
        }
    }
}
