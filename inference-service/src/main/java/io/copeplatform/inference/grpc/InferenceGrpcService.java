package io.copeplatform.inference.grpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Timestamp;

import io.copeplatform.api.inference.v1.BatchingInfo;
import io.copeplatform.api.inference.v1.ClassificationError;
import io.copeplatform.api.inference.v1.ClassificationResult;
import io.copeplatform.api.inference.v1.ClassifyBatchItem;
import io.copeplatform.api.inference.v1.ClassifyBatchRequest;
import io.copeplatform.api.inference.v1.ClassifyBatchResponse;
import io.copeplatform.api.inference.v1.ClassifyBatchResult;
import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.api.inference.v1.ClassifyResponse;
import io.copeplatform.api.inference.v1.ClassifyStreamRequest;
import io.copeplatform.api.inference.v1.ClassifyStreamResponse;
import io.copeplatform.api.inference.v1.Device;
import io.copeplatform.api.inference.v1.GetModelInfoRequest;
import io.copeplatform.api.inference.v1.GetModelInfoResponse;
import io.copeplatform.api.inference.v1.InferenceService;
import io.copeplatform.api.inference.v1.LabelTokens;
import io.copeplatform.api.inference.v1.ModelInfo;
import io.copeplatform.api.inference.v1.PolicyProvenance;
import io.copeplatform.api.inference.v1.PolicySource;
import io.copeplatform.api.inference.v1.PrefixCacheInfo;
import io.copeplatform.api.inference.v1.RequestLimits;
import io.copeplatform.api.inference.v1.ThresholdSource;
import io.copeplatform.api.inference.v1.TokenCounts;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.engine.Classification;
import io.copeplatform.inference.service.ClassificationService;
import io.copeplatform.inference.service.ClassificationService.Outcome;
import io.copeplatform.inference.service.InferenceError;
import io.copeplatform.inference.service.ModelHost;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

import ai.onnxruntime.OrtEnvironment;

/** gRPC adapter of {@code cope.inference.v1.InferenceService}. */
@GrpcService
public class InferenceGrpcService implements InferenceService {

    /** Stream items classified concurrently per stream (the batcher groups them into forward passes). */
    private static final int STREAM_CONCURRENCY = 64;

    private final ClassificationService classifier;
    private final ModelHost host;
    private final InferenceConfig config;

    public InferenceGrpcService(ClassificationService classifier, ModelHost host, InferenceConfig config) {
        this.classifier = classifier;
        this.host = host;
        this.config = config;
    }

    @Override
    public Uni<ClassifyResponse> classify(ClassifyRequest request) {
        long deadline = deadlineNanos();
        return Uni.createFrom().deferred(() -> classifier.classify(toCommand(request, deadline), ""))
                .map(outcome -> ClassifyResponse.newBuilder().setResult(result(outcome)).build())
                .onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ClassifyBatchResponse> classifyBatch(ClassifyBatchRequest request) {
        long deadline = deadlineNanos();
        return Uni.createFrom().deferred(() -> {
            List<int[]> pairs = pairs(request);
            List<Uni<ClassifyBatchResult>> results = new ArrayList<>(pairs.size());
            for (int[] pair : pairs) {
                results.add(classifyPair(request, pair[0], pair[1], deadline));
            }
            return Uni.join().all(results).andFailFast()
                    .map(all -> ClassifyBatchResponse.newBuilder().addAllResults(all).build());
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Multi<ClassifyStreamResponse> classifyStream(Multi<ClassifyStreamRequest> requests) {
        long deadline = deadlineNanos();
        return requests.onItem().transformToUni(item -> classifyStreamItem(item, deadline))
                .merge(STREAM_CONCURRENCY);
    }

    @Override
    public Uni<GetModelInfoResponse> getModelInfo(GetModelInfoRequest request) {
        return Uni.createFrom().deferred(() -> {
            var bundle = host.engine().bundle();
            var manifest = bundle.manifest();
            if (!request.getModel().isEmpty() && !request.getModel().equals(manifest.name())) {
                throw new InferenceError(InferenceError.Kind.NOT_FOUND, "MODEL_NOT_FOUND",
                        "This instance serves " + manifest.name(), Map.of("model", request.getModel()),
                        List.of());
            }
            // The engine's Device shares its simple name with the API enum.
            boolean cuda = bundle.session().device() == io.copeplatform.inference.engine.Device.CUDA;
            var batching = config.batching();
            ModelInfo.Builder info = ModelInfo.newBuilder()
                    .setName(manifest.name())
                    .setVersion(manifest.version())
                    .setFamily(manifest.family() == null ? "" : manifest.family())
                    .setPromptTemplateId(manifest.promptTemplateId())
                    .setIsTestModel(manifest.testModel())
                    .setDevice(cuda
                            ? Device.DEVICE_CUDA
                            : Device.DEVICE_CPU)
                    .setExecutionProvider(cuda
                            ? "CUDAExecutionProvider"
                            : "CPUExecutionProvider")
                    .setRuntimeVersion("onnxruntime " + OrtEnvironment.getEnvironment().getVersion())
                    .setDtype(manifest.dtype())
                    .setMaxContextTokens(manifest.maxContextTokens())
                    .setLabelTokens(LabelTokens.newBuilder()
                            .setPositiveToken(manifest.labels().positiveToken())
                            .setPositiveTokenId(manifest.labels().positiveTokenId())
                            .setNegativeToken(manifest.labels().negativeToken())
                            .setNegativeTokenId(manifest.labels().negativeTokenId()))
                    .setKvCacheSupported(manifest.hasPastKeyValues())
                    .setPrefixCacheEnabled(host.engine().prefixCache().isPresent())
                    .setBatching(BatchingInfo.newBuilder()
                            .setMaxBatchSize(batching.maxBatchSize())
                            .setMaxQueueDelay(duration(batching.maxQueueDelay()))
                            .setQueueCapacity(batching.queueCapacity())
                            .setLengthBucketing(true))
                    .setLimits(RequestLimits.newBuilder()
                            .setMaxContentBytes(config.limits().maxContentBytes())
                            .setMaxPolicyBytes(config.limits().maxPolicyBytes())
                            .setMaxBatchPairs(config.limits().maxBatchPairs()))
                    .setLoadTime(Timestamp.newBuilder().setSeconds(host.loadTime().getEpochSecond())
                            .setNanos(host.loadTime().getNano()));
            // Java ONNX Runtime has no IO binding: cached pasts live in host memory on every device.
            host.engine().prefixCache().ifPresent(cache -> info.setPrefixCache(PrefixCacheInfo.newBuilder()
                    .setBudgetBytes(cache.budgetBytes())
                    .setUsedBytes(cache.usedBytes())
                    .setEntryCount(cache.size())
                    .setPinnedEntryCount(cache.pinnedCount())
                    .setDeviceResident(false)));
            return Uni.createFrom().item(GetModelInfoResponse.newBuilder().setModelInfo(info).build());
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    /** One classification for other inbound adapters (Kafka), with this adapter's result mapping. */
    public Uni<ClassificationResult> classifyOne(ClassifyRequest request, long deadlineNanos) {
        return Uni.createFrom().deferred(() -> classifier.classify(toCommand(request, deadlineNanos), "request."))
                .map(InferenceGrpcService::result);
    }

    /** The per-item error form of a failure (shared with the Kafka adapter). */
    public ClassificationError itemError(Throwable failure) {
        return GrpcErrors.toItemError(failure);
    }

    private Uni<ClassifyStreamResponse> classifyStreamItem(ClassifyStreamRequest item, long deadline) {
        ClassifyStreamResponse.Builder response = ClassifyStreamResponse.newBuilder()
                .setCorrelationId(item.getCorrelationId());
        return Uni.createFrom().deferred(() -> classifier.classify(toCommand(item.getRequest(), deadline), "request."))
                .map(outcome -> response.setResult(result(outcome)).build())
                .onFailure().recoverWithItem(failure -> response.setError(GrpcErrors.toItemError(failure)).build());
    }

    /** (item, policy) pairs, item-major; an item without indexes pairs with every policy. */
    private List<int[]> pairs(ClassifyBatchRequest request) {
        if (request.getPoliciesCount() == 0) {
            throw InferenceError.invalid("POLICY_MISSING", "policies", "give at least one policy");
        }
        if (request.getItemsCount() == 0) {
            throw InferenceError.invalid("INVALID_ARGUMENT", "items", "give at least one item");
        }
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < request.getItemsCount(); i++) {
            ClassifyBatchItem item = request.getItems(i);
            if (item.getPolicyIndexesCount() == 0) {
                for (int p = 0; p < request.getPoliciesCount(); p++) {
                    pairs.add(new int[]{i, p});
                }
            } else {
                for (int p : item.getPolicyIndexesList()) {
                    if (p < 0 || p >= request.getPoliciesCount()) {
                        throw InferenceError.invalid("INVALID_POLICY_INDEX", "items[" + i + "].policy_indexes",
                                p + " is not an index of policies (0.." + (request.getPoliciesCount() - 1) + ")");
                    }
                    pairs.add(new int[]{i, p});
                }
            }
            if (pairs.size() > config.limits().maxBatchPairs()) {
                throw InferenceError.invalid("BATCH_TOO_LARGE", "items", "more than "
                        + config.limits().maxBatchPairs() + " (item, policy) pairs; split the batch");
            }
        }
        return pairs;
    }

    private Uni<ClassifyBatchResult> classifyPair(ClassifyBatchRequest request, int item, int policy,
            long deadline) {
        ClassifyBatchResult.Builder result = ClassifyBatchResult.newBuilder().setItemIndex(item)
                .setPolicyIndex(policy);
        PolicySource source = request.getPolicies(policy);
        var command = new ClassificationService.Request(request.getItems(item).getContent(),
                new ClassificationService.PolicyInput(source.getPolicyText(), source.getPolicyRef()),
                request.hasThreshold() ? request.getThreshold() : null, request.getAllowContentTruncation(),
                request.getModel(), deadline);
        return Uni.createFrom().deferred(() -> classifier.classify(command, "items[" + item + "]."))
                .map(done -> result.setResult(result(done)).build())
                .onFailure().recoverWithItem(failure -> result.setError(GrpcErrors.toItemError(failure)).build());
    }

    private static ClassificationService.Request toCommand(ClassifyRequest request, long deadline) {
        return new ClassificationService.Request(request.getContent(),
                new ClassificationService.PolicyInput(request.getPolicyText(), request.getPolicyRef()),
                request.hasThreshold() ? request.getThreshold() : null, request.getAllowContentTruncation(),
                request.getModel(), deadline);
    }

    private static ClassificationResult result(Outcome outcome) {
        Classification c = outcome.classification();
        var model = outcome.model();
        return ClassificationResult.newBuilder()
                .setLabel(c.label())
                .setLabelToken(c.label() ? model.labels().positiveToken() : model.labels().negativeToken())
                .setScore(c.score().score())
                .setConfidence(c.confidence())
                .setThreshold(c.threshold())
                .setThresholdSource(switch (outcome.thresholdSource()) {
                    case REQUEST -> ThresholdSource.THRESHOLD_SOURCE_REQUEST;
                    case DEPLOYMENT -> ThresholdSource.THRESHOLD_SOURCE_DEPLOYMENT;
                    case DEFAULT -> ThresholdSource.THRESHOLD_SOURCE_DEFAULT;
                })
                .setModelName(model.name())
                .setModelVersion(model.version())
                .setPolicy(PolicyProvenance.newBuilder()
                        .setPolicyVersion(outcome.policy().policyVersion())
                        .setPolicyRef(outcome.policy().policyRef())
                        .setTextSha256(outcome.policy().textSha256())
                        .setDeprecated(outcome.policy().deprecated()))
                .setPromptTemplateId(model.promptTemplateId())
                .setTokenCounts(TokenCounts.newBuilder()
                        .setPolicyTokens(c.policyTokens())
                        .setContentTokens(c.contentTokens())
                        .setOriginalContentTokens(c.originalContentTokens())
                        .setPromptTokens(c.promptTokens())
                        .setComputedTokens(c.computedTokens()))
                .setQueueTime(duration(Duration.ofNanos(c.queueNanos())))
                .setComputeTime(duration(Duration.ofNanos(c.computeNanos())))
                .setTruncated(c.truncated())
                .setPrefixCacheHit(c.prefixCacheHit())
                .setBatchSize(c.batchSize())
                .build();
    }

    /** The caller's gRPC deadline as a {@link System#nanoTime()} instant ({@link Long#MAX_VALUE}: none). */
    private static long deadlineNanos() {
        return CallDeadlines.current();
    }

    private static com.google.protobuf.Duration duration(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }
}
