package io.copeplatform.labeling.client;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.grpc.ReconnectOnDemand;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.LabelerSpec;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.TokenBucket;
import io.copeplatform.labeling.service.LabelerFactory;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;

/** Builds the two kinds of labelers from a job's spec. */
@ApplicationScoped
public class Labelers implements LabelerFactory {

    private final LabelingConfig config;
    private final LlmEndpoints endpoints;
    private final InferenceServiceGrpc.InferenceServiceBlockingStub inference;
    private final ReconnectOnDemand inferenceReconnect;

    public Labelers(LabelingConfig config, LlmEndpoints endpoints,
            @GrpcClient("inference") InferenceServiceGrpc.InferenceServiceBlockingStub inference,
            @GrpcClient("inference") Channel inferenceChannel) {
        this.config = config;
        this.endpoints = endpoints;
        this.inference = inference;
        this.inferenceReconnect = new ReconnectOnDemand(inferenceChannel);
    }

    @Override
    public int concurrency(LabelerSpec spec) {
        return spec.maxConcurrency() <= 0
                ? config.limits().defaultConcurrency()
                : Math.min(spec.maxConcurrency(), config.limits().maxConcurrency());
    }

    @Override
    public void validate(LabelerSpec spec) {
        if ((spec.chat() == null) == (spec.cope() == null)) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "labeler",
                    "exactly one of chat_completions and cope is required");
        }
        if (spec.maxConcurrency() < 0 || spec.maxRequestsPerSecond() < 0
                || (spec.maxRetries() != null && spec.maxRetries() < 0)) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "labeler.limits",
                    "limits must not be negative");
        }
        if (spec.cope() != null && spec.cope().threshold() != null
                && (spec.cope().threshold() < 0 || spec.cope().threshold() > 1)) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "labeler.cope.threshold",
                    "must be in [0, 1]");
        }
        if (spec.chat() != null) {
            endpoints.resolve(spec.chat().endpoint(), config.llm().labelMaxTokens(), config.llm().requestTimeout());
        }
    }

    @Override
    public Labeler create(LabelerSpec spec) {
        validate(spec);
        int retries = spec.maxRetries() == null ? config.limits().defaultMaxRetries() : spec.maxRetries();
        if (spec.chat() != null) {
            ChatCompletionsClient.Endpoint endpoint = endpoints.resolve(spec.chat().endpoint(),
                    config.llm().labelMaxTokens(), config.llm().requestTimeout());
            return new ChatLabeler(endpoints.client(endpoint, spec.maxRequestsPerSecond(), retries),
                    concurrency(spec), spec.chat().requestLogprobs(),
                    spec.chat().jsonAnswer() ? spec.chat().jsonLabelField() : null);
        }
        return new CopeLabeler(inference, inferenceReconnect, spec.cope(), new TokenBucket(spec.maxRequestsPerSecond()),
                retries,
                endpoints.backoff());
    }
}
