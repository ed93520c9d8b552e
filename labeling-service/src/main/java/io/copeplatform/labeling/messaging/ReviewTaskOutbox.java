package io.copeplatform.labeling.messaging;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.google.protobuf.Message;

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.api.policy.v1.ConfidenceInterval;
import io.copeplatform.api.review.v1.BinocularIterationSummary;
import io.copeplatform.api.review.v1.LabeledPolicy;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.ItemLabel;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.mapping.LabelingProtos;
import io.copeplatform.labeling.service.ReviewTaskPublisher;

/**
 * Writes {@code ReviewTaskCreated} (a mismatch) and {@code ReviewTasksWithdrawn} (a cancelled job) events into the
 * outbox table inside the caller's transaction: the state change and its event commit together or not at all.
 * {@link ReviewTasksRelay} sends them to Kafka.
 */
@ApplicationScoped
public class ReviewTaskOutbox implements ReviewTaskPublisher {

    private final LabelingConfig config;

    public ReviewTaskOutbox(LabelingConfig config) {
        this.config = config;
    }

    @Override
    public void mismatch(Connection c, String jobId, int iteration, DatasetItem item, PolicySnapshot policyA,
            ItemLabel labelA, PolicySnapshot policyB, ItemLabel labelB, int requiredDecisions, String labeler,
            IterationSummary summary) throws SQLException {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        BinocularIterationSummary.Builder s = BinocularIterationSummary.newBuilder().setIteration(iteration)
                .setLabeledCount(summary.labeledCount()).setMismatchCount(summary.mismatchCount());
        AgreementStats a = summary.agreement();
        if (a != null) {
            s.setPercentAgreement(a.percentAgreement());
            if (a.cohensKappa() != null) {
                s.setCohensKappa(a.cohensKappa()).setCohensKappaCi(ConfidenceInterval.newBuilder()
                        .setLower(a.kappaLower()).setUpper(a.kappaUpper()).setConfidenceLevel(0.95));
            }
        }
        ReviewTaskCreated event = ReviewTaskCreated.newBuilder()
                .setEventId(id.toString())
                .setEventTime(LabelingProtos.timestamp(now))
                .setSource(config.eventSource())
                .setJob("binocularJobs/" + jobId)
                .setIteration(iteration)
                .setItem(item.name())
                .setContent(item.text())
                .setContentSha256(item.contentSha256())
                .setPolicyA(policy(policyA, labelA))
                .setPolicyB(policy(policyB, labelB))
                .setRequiredDecisions(requiredDecisions)
                .setLabeler(labeler)
                .setIterationSummary(s)
                .build();
        insert(c, id, jobId, event, now);
    }

    @Override
    public void withdraw(Connection c, String jobId, int iteration, String reason) throws SQLException {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        ReviewTasksWithdrawn event = ReviewTasksWithdrawn.newBuilder()
                .setEventId(id.toString())
                .setEventTime(LabelingProtos.timestamp(now))
                .setSource(config.eventSource())
                .setJob("binocularJobs/" + jobId)
                .setIteration(iteration)
                .setReason(reason == null ? "" : reason)
                .build();
        insert(c, id, jobId, event, now);
    }

    /** One outbox row; the key is the job id, so a job's events stay in order on one partition. */
    private void insert(Connection c, UUID id, String jobId, Message event, Instant now) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO labeling.outbox (event_id, topic, record_key, "
                + "event_type, payload, create_time) VALUES (?, ?, ?, ?, ?, ?)")) {
            st.setObject(1, id);
            st.setString(2, config.outbox().topic());
            st.setString(3, jobId);
            st.setString(4, event.getDescriptorForType().getFullName());
            st.setBytes(5, event.toByteArray());
            st.setTimestamp(6, Timestamp.from(now));
            st.executeUpdate();
        }
    }

    private static LabeledPolicy policy(PolicySnapshot p, ItemLabel label) {
        LabeledPolicy.Builder b = LabeledPolicy.newBuilder().setPolicyVersion(p.version()).setPolicy(p.policy())
                .setText(p.text()).setTextSha256(p.sha256()).setLabel(label.label())
                .setRawAnswer(label.rawAnswer());
        if (label.score() != null) {
            b.setScore(label.score());
        }
        return b.build();
    }
}
