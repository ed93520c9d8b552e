package io.copeplatform.registry.messaging;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.Timestamp;

import io.copeplatform.api.events.v1.PolicyDeleted;
import io.copeplatform.api.events.v1.PolicyEvent;
import io.copeplatform.api.events.v1.PolicyUndeployed;
import io.copeplatform.api.events.v1.PolicyVersionDeployed;
import io.copeplatform.api.events.v1.PolicyVersionDeprecated;
import io.copeplatform.api.events.v1.PolicyVersionPublished;
import io.copeplatform.registry.config.RegistryConfig;
import io.copeplatform.registry.domain.PolicyNames;
import io.copeplatform.registry.repository.DeploymentEntity;
import io.copeplatform.registry.repository.OutboxEventEntity;
import io.copeplatform.registry.repository.PolicyEntity;
import io.copeplatform.registry.repository.PolicyVersionEntity;
import io.smallrye.mutiny.Uni;

/**
 * Writes {@code policy.events.v1} events into the outbox table. Must be called inside the transaction of the change it
 * reports: the event commits with the change or not at all. {@link PolicyEventsRelay} sends it to Kafka later.
 */
@ApplicationScoped
public class PolicyEventOutbox {

    private final RegistryConfig config;

    public PolicyEventOutbox(RegistryConfig config) {
        this.config = config;
    }

    public Uni<Void> versionPublished(PolicyVersionEntity version, String actor) {
        UUID id = UUID.randomUUID();
        PolicyVersionPublished event = PolicyVersionPublished.newBuilder()
                .setEventId(id.toString())
                .setEventTime(timestamp(version.createTime))
                .setSource(config.eventSource())
                .setPolicy(PolicyNames.policyName(version.policyId))
                .setPolicyVersion(PolicyNames.versionName(version.policyId, version.version))
                .setVersion(version.version)
                .setTextSha256(version.sha256)
                .setParentVersion(version.parentVersion == null
                        ? ""
                        : PolicyNames.versionName(version.policyId, version.parentVersion))
                .setParaphraseOf(version.paraphraseOf)
                .setChangelog(version.changelog)
                .setActor(actor)
                .build();
        return append(id, version.policyId, event.getDescriptorForType().getFullName(),
                PolicyEvent.newBuilder().setVersionPublished(event).build(), version.createTime);
    }

    public Uni<Void> versionDeployed(DeploymentEntity deployment, String toSha256) {
        UUID id = UUID.randomUUID();
        PolicyVersionDeployed.Builder event = PolicyVersionDeployed.newBuilder()
                .setEventId(id.toString())
                .setEventTime(timestamp(deployment.createTime))
                .setSource(config.eventSource())
                .setPolicy(PolicyNames.policyName(deployment.policyId))
                .setDeployment(PolicyNames.deploymentName(deployment.policyId, deployment.seq))
                .setFromVersion(deployment.previousVersion == null
                        ? ""
                        : PolicyNames.versionName(deployment.policyId, deployment.previousVersion))
                .setToVersion(PolicyNames.versionName(deployment.policyId, deployment.version))
                .setToTextSha256(toSha256)
                .setThreshold(deployment.threshold)
                .setRollback(deployment.rollback)
                .setActor(deployment.actor)
                .setNote(deployment.note);
        if (deployment.previousThreshold != null) {
            event.setPreviousThreshold(deployment.previousThreshold);
        }
        PolicyVersionDeployed built = event.build();
        return append(id, deployment.policyId, built.getDescriptorForType().getFullName(),
                PolicyEvent.newBuilder().setVersionDeployed(built).build(), deployment.createTime);
    }

    public Uni<Void> undeployed(DeploymentEntity deployment) {
        UUID id = UUID.randomUUID();
        PolicyUndeployed event = PolicyUndeployed.newBuilder()
                .setEventId(id.toString())
                .setEventTime(timestamp(deployment.createTime))
                .setSource(config.eventSource())
                .setPolicy(PolicyNames.policyName(deployment.policyId))
                .setDeployment(PolicyNames.deploymentName(deployment.policyId, deployment.seq))
                .setFromVersion(PolicyNames.versionName(deployment.policyId, deployment.previousVersion))
                .setActor(deployment.actor)
                .setNote(deployment.note)
                .build();
        return append(id, deployment.policyId, event.getDescriptorForType().getFullName(),
                PolicyEvent.newBuilder().setUndeployed(event).build(), deployment.createTime);
    }

    public Uni<Void> versionDeprecated(PolicyVersionEntity version, String actor) {
        UUID id = UUID.randomUUID();
        PolicyVersionDeprecated event = PolicyVersionDeprecated.newBuilder()
                .setEventId(id.toString())
                .setEventTime(timestamp(version.deprecateTime))
                .setSource(config.eventSource())
                .setPolicy(PolicyNames.policyName(version.policyId))
                .setPolicyVersion(PolicyNames.versionName(version.policyId, version.version))
                .setReason(version.deprecationReason)
                .setActor(actor)
                .build();
        return append(id, version.policyId, event.getDescriptorForType().getFullName(),
                PolicyEvent.newBuilder().setVersionDeprecated(event).build(), version.deprecateTime);
    }

    public Uni<Void> deleted(PolicyEntity policy, String actor) {
        UUID id = UUID.randomUUID();
        PolicyDeleted event = PolicyDeleted.newBuilder()
                .setEventId(id.toString())
                .setEventTime(timestamp(policy.deleteTime))
                .setSource(config.eventSource())
                .setPolicy(PolicyNames.policyName(policy.id))
                .setActor(actor)
                .build();
        return append(id, policy.id, event.getDescriptorForType().getFullName(),
                PolicyEvent.newBuilder().setDeleted(event).build(), policy.deleteTime);
    }

    private Uni<Void> append(UUID id, String policyId, String type, PolicyEvent event, OffsetDateTime time) {
        OutboxEventEntity row = new OutboxEventEntity();
        row.eventId = id;
        row.topic = config.outbox().topic();
        row.recordKey = policyId;
        row.eventType = type;
        row.payload = event.toByteArray();
        row.createTime = time;
        return row.persist().replaceWithVoid();
    }

    private static Timestamp timestamp(OffsetDateTime time) {
        return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
    }
}
