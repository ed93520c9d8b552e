package io.copeplatform.labeling.mapping;

import java.util.List;

import io.copeplatform.api.labeling.v1.BinaryClassificationMetrics;
import io.copeplatform.api.labeling.v1.ConfusionMatrix;
import io.copeplatform.api.labeling.v1.Evaluation;
import io.copeplatform.api.labeling.v1.PolicyRowCount;
import io.copeplatform.api.labeling.v1.TrainingRowSource;
import io.copeplatform.api.labeling.v1.TrainingSetSummary;
import io.copeplatform.labeling.domain.EvaluationResult;
import io.copeplatform.labeling.domain.EvaluationSpec;
import io.copeplatform.labeling.domain.TrainingRow;
import io.copeplatform.labeling.domain.TrainingSet;
import io.copeplatform.labeling.stats.BinaryMetrics;

/** Evaluation and training-set messages <-> domain records. */
public final class EvaluationProtos {

    private EvaluationProtos() {
    }

    public static EvaluationSpec spec(String id, Evaluation e) {
        String dataset = e.getDataset().startsWith("datasets/") ? e.getDataset().substring(9) : e.getDataset();
        return new EvaluationSpec(id, e.getDisplayName(), e.getPolicyVersion(), dataset,
                e.hasLabeler() ? JobProtos.labeler(e.getLabeler()) : JobProtos.defaultLabeler(),
                e.hasThreshold() ? e.getThreshold() : null,
                List.copyOf(e.getThresholdsList()), JobProtos.budget(e.getBudget()));
    }

    public static Evaluation evaluation(io.copeplatform.labeling.domain.Evaluation e) {
        EvaluationSpec s = e.spec();
        Evaluation.Builder b = Evaluation.newBuilder()
                .setName(e.name())
                .setDisplayName(s.displayName())
                .setPolicyVersion(s.policyRef())
                .setResolvedPolicyVersion(e.resolvedVersion() == null ? "" : e.resolvedVersion())
                .setDataset("datasets/" + s.datasetId())
                .setLabeler(JobProtos.labeler(s.labeler()))
                .addAllThresholds(s.thresholds())
                .setBudget(JobProtos.budget(s.budget()))
                .setState(JobProtos.state(e.state()))
                .setItemCount(e.itemCount())
                .setModel(e.model())
                .setModelVersion(e.modelVersion())
                .setUsage(JobProtos.usage(e.usage()))
                .setRegistryRecorded(e.registryRecorded())
                .setCreator(e.creator())
                .setCreateTime(LabelingProtos.timestamp(e.createTime()));
        if (s.threshold() != null) {
            b.setThreshold(s.threshold());
        }
        if (e.failureReason() != null) {
            b.setFailureReason(e.failureReason());
        }
        if (e.failureMessage() != null) {
            b.setFailureMessage(e.failureMessage());
        }
        if (e.startTime() != null) {
            b.setStartTime(LabelingProtos.timestamp(e.startTime()));
        }
        if (e.endTime() != null) {
            b.setEndTime(LabelingProtos.timestamp(e.endTime()));
        }
        EvaluationResult r = e.result();
        if (r != null) {
            b.setMetrics(metrics(r.metrics()))
                    .setEvaluatedCount(r.evaluatedCount())
                    .setMalformedCount(r.malformedCount())
                    .setFailedCount(r.failedCount());
            r.thresholdMetrics().forEach(m -> b.addThresholdMetrics(metrics(m)));
        }
        return b.build();
    }

    static BinaryClassificationMetrics metrics(EvaluationResult.ConfusionCounts c) {
        BinaryMetrics m = BinaryMetrics.of(c.threshold(), c.truePositives(), c.falsePositives(), c.trueNegatives(),
                c.falseNegatives());
        return BinaryClassificationMetrics.newBuilder()
                .setThreshold(m.threshold())
                .setPrecision(m.precision())
                .setRecall(m.recall())
                .setF1(m.f1())
                .setAccuracy(m.accuracy())
                .setConfusionMatrix(ConfusionMatrix.newBuilder().setTruePositiveCount(c.truePositives())
                        .setFalsePositiveCount(c.falsePositives()).setTrueNegativeCount(c.trueNegatives())
                        .setFalseNegativeCount(c.falseNegatives()))
                .build();
    }

    public static io.copeplatform.api.labeling.v1.TrainingRow row(TrainingRow r) {
        return io.copeplatform.api.labeling.v1.TrainingRow.newBuilder()
                .setContent(r.content())
                .setPolicyVersion(r.policyVersion())
                .setPolicyText(r.policyText())
                .setLabel(r.label())
                .setSource(TrainingRowSource.valueOf("TRAINING_ROW_SOURCE_" + r.source()))
                .setOrigin(r.origin())
                .setContentSha256(r.contentSha256())
                .setPolicyTextSha256(r.policyTextSha256())
                .setContradictory(r.contradictory())
                .build();
    }

    public static TrainingSetSummary summary(TrainingSet set) {
        TrainingSetSummary.Builder b = TrainingSetSummary.newBuilder().setRowCount(set.rowCount())
                .setContradictoryPairCount(set.contradictoryPairCount());
        for (TrainingSet.PolicyCount c : set.policyCounts()) {
            b.addPolicyCounts(PolicyRowCount.newBuilder().setPolicyVersion(c.policyVersion())
                    .setPolicyTextSha256(c.policyTextSha256()).setRowCount(c.rowCount())
                    .setPositiveCount(c.positiveCount()).setNegativeCount(c.negativeCount())
                    .setContradictoryCount(c.contradictoryCount()));
        }
        return b.build();
    }

    /** Source names of a request filter; UNSPECIFIED ("any") is dropped. */
    public static java.util.Set<String> sources(List<TrainingRowSource> sources) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (TrainingRowSource s : sources) {
            if (s != TrainingRowSource.TRAINING_ROW_SOURCE_UNSPECIFIED && s != TrainingRowSource.UNRECOGNIZED) {
                names.add(s.name().substring("TRAINING_ROW_SOURCE_".length()));
            }
        }
        return names;
    }
}
