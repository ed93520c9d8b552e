package io.copeplatform.labeling.domain;

import java.time.Instant;

/** An evaluation and its outcome ({@code result} null until it succeeded). */
public record Evaluation(EvaluationSpec spec, JobState state, String failureReason, String failureMessage,
        String resolvedVersion, long itemCount, EvaluationResult result, String model, String modelVersion,
        Usage usage, boolean registryRecorded, String creator, Instant createTime, Instant startTime,
        Instant endTime) {

    public String name() {
        return Ids.EVALUATIONS + spec.id();
    }
}
