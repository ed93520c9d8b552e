package io.copeplatform.labeling.client;

import java.util.concurrent.TimeUnit;

import io.copeplatform.api.inference.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyBatchItem;
import io.copeplatform.api.inference.v1.ClassifyBatchRequest;
import io.copeplatform.api.inference.v1.ClassifyBatchResponse;
import io.copeplatform.api.inference.v1.ClassifyBatchResult;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.api.inference.v1.PolicySource;
import io.copeplatform.grpc.ReconnectOnDemand;
import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.Backoff;
import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.LabelerSpec;
import io.copeplatform.labeling.domain.TokenBucket;
import io.copeplatform.labeling.domain.UsageMeter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * CoPE through inference-service: one {@code ClassifyBatch} pair per answer (the service batches concurrent requests
 * dynamically and caches the policy prefix, so per-pair calls from many workers batch well). UNAVAILABLE,
 * RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED are retried with backoff; a per-item error is a FAILED answer.
 */
public final class CopeLabeler implements Labeler {

    private static final long DEADLINE_SECONDS = 60;

    private final InferenceServiceGrpc.InferenceServiceBlockingStub inference;
    private final ReconnectOnDemand reconnect;
    private final LabelerSpec.CopeLabeler spec;
    private final TokenBucket rate;
    private final int maxRetries;
    private final Backoff backoff;

    CopeLabeler(InferenceServiceGrpc.InferenceServiceBlockingStub inference, ReconnectOnDemand reconnect,
            LabelerSpec.CopeLabeler spec, TokenBucket rate, int maxRetries, Backoff backoff) {
        this.inference = inference;
        this.reconnect = reconnect;
        this.spec = spec;
        this.rate = rate;
        this.maxRetries = maxRetries;
        this.backoff = backoff;
    }

    @Override
    public String description() {
        return "inference-service" + (spec.model() == null || spec.model().isBlank() ? "" : ":" + spec.model());
    }

    @Override
    public Answer label(String policyText, String content, UsageMeter meter) {
        ClassifyBatchRequest.Builder request = ClassifyBatchRequest.newBuilder()
                .addPolicies(PolicySource.newBuilder().setPolicyText(policyText))
                .addItems(ClassifyBatchItem.newBuilder().setContent(content).addPolicyIndexes(0))
                .setThreshold(spec.threshold() == null ? 0.5 : spec.threshold())
                .setAllowContentTruncation(spec.allowContentTruncation());
        if (spec.model() != null && !spec.model().isBlank()) {
            request.setModel(spec.model());
        }
        int retry = 0;
        while (true) {
            try {
                rate.acquire();
                var stub = inference.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
                // After an inference-service outage the channel reconnects as soon as a call needs it.
                ClassifyBatchResponse response = (reconnect.reconnectIfFailed() ? stub.withWaitForReady() : stub)
                        .classifyBatch(request.build());
                ClassifyBatchResult result = response.getResults(0);
                if (result.hasError()) {
                    meter.call(0, 0);
                    meter.failedCall();
                    return Answer.failed(result.getError().getReason() + ": " + result.getError().getMessage(),
                            1, 0, 0);
                }
                ClassificationResult r = result.getResult();
                meter.call(r.getTokenCounts().getPromptTokens(), 1);
                return Answer.labeled(r.getLabel(), r.getScore(), r.getLabelToken(), 1,
                        r.getTokenCounts().getPromptTokens(), 1, r.getModelName(), r.getModelVersion());
            } catch (StatusRuntimeException e) {
                meter.call(0, 0);
                Status.Code code = e.getStatus().getCode();
                boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED
                        || code == Status.Code.DEADLINE_EXCEEDED;
                if (!retryable || retry >= maxRetries) {
                    meter.failedCall();
                    return Answer.failed("inference-service: " + e.getStatus(), 1, 0, 0);
                }
                retry++;
                meter.retry();
                try {
                    Thread.sleep(backoff.delay(retry, null).toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return Answer.failed("interrupted", 1, 0, 0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Answer.failed("interrupted", 1, 0, 0);
            }
        }
    }
}
