package io.copeplatform.inference;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;

import io.copeplatform.api.inference.v1.ClassifyBatchItem;
import io.copeplatform.api.inference.v1.ClassifyBatchRequest;
import io.copeplatform.api.inference.v1.ClassifyRequest;
import io.copeplatform.api.inference.v1.ClassifyStreamRequest;
import io.copeplatform.api.inference.v1.ClassifyStreamResponse;
import io.copeplatform.api.inference.v1.Device;
import io.copeplatform.api.inference.v1.GetModelInfoRequest;
import io.copeplatform.api.inference.v1.InferenceServiceGrpc;
import io.copeplatform.api.inference.v1.PolicySource;
import io.copeplatform.api.inference.v1.ThresholdSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class InferenceGrpcTest {

    private static final String POLICY = "## Overview\nFlags unsolicited advertising.\n";

    @Inject
    MeterRegistry meters;

    private static ManagedChannel channel;

    @BeforeAll
    static void connect() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static InferenceServiceGrpc.InferenceServiceBlockingStub api() {
        return InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Test
    void everyResultSaysWhatProducedIt() {
        var result = api().classify(ClassifyRequest.newBuilder().setContent("Buy cheap watches now")
                .setPolicyText(POLICY).setThreshold(0.3).build()).getResult();
        assertEquals("cope-tiny-test-gemma2", result.getModelName(), "the test model is never presented as CoPE");
        assertEquals("0.1.0", result.getModelVersion());
        assertEquals("cope-a-v1", result.getPromptTemplateId());
        assertEquals("inline", result.getPolicy().getPolicyRef());
        assertEquals(64, result.getPolicy().getTextSha256().length());
        assertEquals(0.3, result.getThreshold());
        assertEquals(ThresholdSource.THRESHOLD_SOURCE_REQUEST, result.getThresholdSource());
        assertEquals(result.getScore() >= 0.3, result.getLabel());
        assertEquals(result.getLabel() ? "1" : "0", result.getLabelToken());
        assertEquals(result.getLabel() ? result.getScore() : 1 - result.getScore(), result.getConfidence(), 1e-12);
        assertTrue(result.getTokenCounts().getPromptTokens() > result.getTokenCounts().getPolicyTokens()
                + result.getTokenCounts().getContentTokens());
        assertTrue(result.getBatchSize() >= 1);
        assertFalse(result.getTruncated());
        assertEquals(result.getTokenCounts().getContentTokens(), result.getTokenCounts().getOriginalContentTokens());
    }

    @Test
    void modelInfoDescribesTheServedTestModel() {
        var info = api().getModelInfo(GetModelInfoRequest.getDefaultInstance()).getModelInfo();
        assertTrue(info.getIsTestModel());
        assertEquals(Device.DEVICE_CPU, info.getDevice());
        assertTrue(info.getKvCacheSupported());
        assertEquals(8192, info.getMaxContextTokens());
        assertEquals("1", info.getLabelTokens().getPositiveToken());
        assertTrue(info.getRuntimeVersion().startsWith("onnxruntime 1.26"), info.getRuntimeVersion());
    }

    @Test
    void aBatchAnswersEveryPairAndABadItemFailsAlone() {
        var response = api().classifyBatch(ClassifyBatchRequest.newBuilder()
                .addPolicies(PolicySource.newBuilder().setPolicyText(POLICY))
                .addPolicies(PolicySource.newBuilder().setPolicyText("## Overview\nFlags insults.\n"))
                .addItems(ClassifyBatchItem.newBuilder().setContent("hello"))
                .addItems(ClassifyBatchItem.newBuilder().setContent("").addPolicyIndexes(1))
                .addItems(ClassifyBatchItem.newBuilder().setContent("buy now").addPolicyIndexes(0))
                .build());
        assertEquals(4, response.getResultsCount());
        assertEquals(0, response.getResults(0).getItemIndex());
        assertEquals(1, response.getResults(1).getPolicyIndex());
        assertTrue(response.getResults(0).hasResult());
        assertTrue(response.getResults(1).hasResult());
        var bad = response.getResults(2);
        assertEquals(1, bad.getItemIndex());
        assertEquals("CONTENT_EMPTY", bad.getError().getReason());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), bad.getError().getCode());
        assertEquals("items[1].content", bad.getError().getFieldViolations(0).getField());
        assertTrue(response.getResults(3).hasResult());

        StatusRuntimeException badIndex = assertThrows(StatusRuntimeException.class,
                () -> api().classifyBatch(ClassifyBatchRequest.newBuilder()
                        .addPolicies(PolicySource.newBuilder().setPolicyText(POLICY))
                        .addItems(ClassifyBatchItem.newBuilder().setContent("x").addPolicyIndexes(3)).build()));
        assertEquals("INVALID_POLICY_INDEX", reason(badIndex));
    }

    @Test
    void aStreamReportsABadItemInTheMiddleAndKeepsGoing() throws Exception {
        List<ClassifyStreamResponse> responses = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        var requests = InferenceServiceGrpc.newStub(channel).classifyStream(new StreamObserver<>() {
            @Override
            public void onNext(ClassifyStreamResponse value) {
                synchronized (responses) {
                    responses.add(value);
                }
            }

            @Override
            public void onError(Throwable t) {
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        for (int i = 0; i < 5; i++) {
            ClassifyRequest.Builder request = ClassifyRequest.newBuilder().setPolicyText(POLICY)
                    .setContent(i == 2 ? "x".repeat(70_000) : "message " + i);
            requests.onNext(ClassifyStreamRequest.newBuilder().setCorrelationId("c" + i).setRequest(request).build());
        }
        requests.onCompleted();
        assertTrue(done.await(60, TimeUnit.SECONDS));
        assertEquals(5, responses.size(), "one answer per item; the stream was not broken");
        for (ClassifyStreamResponse response : responses) {
            if (response.getCorrelationId().equals("c2")) {
                assertEquals("CONTENT_TOO_LARGE", response.getError().getReason());
            } else {
                assertTrue(response.hasResult(), response.toString());
            }
        }
    }

    @Test
    void aRequestWhoseCallerStoppedWaitingIsDroppedBeforeCompute() {
        double droppedBefore = droppedPastDeadline();
        // Content far over the context, to be truncated: encoding it and finding the cut takes longer than the caller
        // waits (and computing it would take seconds), so its deadline has passed when the batcher picks it up.
        ClassifyRequest tooLong = ClassifyRequest.newBuilder().setPolicyText(POLICY)
                .setContent("spam and eggs ".repeat(4000)).setAllowContentTruncation(true).build();

        api().getModelInfo(GetModelInfoRequest.getDefaultInstance()); // connected: the call reaches the server

        StatusRuntimeException late = assertThrows(StatusRuntimeException.class,
                () -> InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MILLISECONDS)
                        .classify(tooLong));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
        // The server saw the deadline (grpc-timeout) and dropped the request instead of computing it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> droppedPastDeadline() > droppedBefore);
    }

    private double droppedPastDeadline() {
        var counter = meters.find("inference.rejections").tag("reason", "deadline").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void badRequestsGetAStatusAndAStableReason() {
        assertReason(Status.Code.INVALID_ARGUMENT, "INVALID_THRESHOLD", ClassifyRequest.newBuilder()
                .setContent("x").setPolicyText(POLICY).setThreshold(1.5).build());
        assertReason(Status.Code.INVALID_ARGUMENT, "POLICY_MISSING",
                ClassifyRequest.newBuilder().setContent("x").build());
        assertReason(Status.Code.INVALID_ARGUMENT, "POLICY_TOO_LARGE", ClassifyRequest.newBuilder()
                .setContent("x").setPolicyText("p".repeat(70_000)).build());
        assertReason(Status.Code.NOT_FOUND, "MODEL_NOT_FOUND", ClassifyRequest.newBuilder()
                .setContent("x").setPolicyText(POLICY).setModel("cope-a-gemma-2-9b").build());

        StatusRuntimeException budget = assertReason(Status.Code.INVALID_ARGUMENT, "TOKEN_BUDGET_EXCEEDED",
                ClassifyRequest.newBuilder().setPolicyText(POLICY).setContent("spam and eggs ".repeat(4000)).build());
        ErrorInfo info = errorInfo(budget);
        assertEquals("8192", info.getMetadataOrThrow("max_context_tokens"));
        assertTrue(Integer.parseInt(info.getMetadataOrThrow("content_tokens")) > 8000);
        assertTrue(Integer.parseInt(info.getMetadataOrThrow("policy_tokens")) > 0);

        var truncated = api().classify(ClassifyRequest.newBuilder().setPolicyText(POLICY)
                .setContent("spam and eggs ".repeat(4000)).setAllowContentTruncation(true).build()).getResult();
        assertTrue(truncated.getTruncated());
        assertTrue(truncated.getTokenCounts().getPromptTokens() <= 8192);
        assertEquals(Integer.parseInt(info.getMetadataOrThrow("content_tokens")),
                truncated.getTokenCounts().getOriginalContentTokens(), "what was sent, before the cut");
        assertTrue(truncated.getTokenCounts().getContentTokens() < truncated.getTokenCounts()
                .getOriginalContentTokens());
    }

    @Test
    void healthSaysReadyWithTheModelAndMetricsAreExposed() {
        double okBefore = meters.counter("inference.requests", "outcome", "ok").count();
        double emptyBefore = meters.counter("inference.requests", "outcome", "CONTENT_EMPTY").count();
        api().classify(ClassifyRequest.newBuilder().setContent("hello").setPolicyText(POLICY).build());
        // A batch item counts like a call: one ok, one refused for its own reason.
        api().classifyBatch(ClassifyBatchRequest.newBuilder()
                .addPolicies(PolicySource.newBuilder().setPolicyText(POLICY))
                .addItems(ClassifyBatchItem.newBuilder().setContent("hi"))
                .addItems(ClassifyBatchItem.newBuilder().setContent("")).build());
        assertEquals(okBefore + 2, meters.counter("inference.requests", "outcome", "ok").count());
        assertEquals(emptyBefore + 1, meters.counter("inference.requests", "outcome", "CONTENT_EMPTY").count());
        given().get("/q/health/ready").then().statusCode(200).body(containsString("cope-tiny-test-gemma2"));
        given().get("/q/health/started").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200).body(containsString("inference_batch_size"))
                .body(containsString("inference_requests_total{outcome=\"ok\"}"))
                .body(containsString("inference_queue_time_seconds_count"))
                .body(containsString("inference_request_tokens"))
                .body(containsString("inference_prefix_cache_lookups_total"))
                .body(containsString("inference_prefix_cache_pinned_entries"))
                // gRPC calls are measured by the gRPC binder only, not a second time as HTTP/2 requests.
                .body(containsString("grpc_server_processing_duration_seconds_count{method=\"Classify\""))
                .body(not(containsString("uri=\"/cope.inference.v1.InferenceService")));
    }

    private static StatusRuntimeException assertReason(Status.Code code, String reason, ClassifyRequest request) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api().classify(request));
        assertEquals(code, e.getStatus().getCode(), e.getMessage());
        assertEquals(reason, errorInfo(e).getReason());
        return e;
    }

    private static String reason(StatusRuntimeException e) {
        return errorInfo(e).getReason();
    }

    private static ErrorInfo errorInfo(StatusRuntimeException e) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst()
                .map(d -> {
                    try {
                        return d.unpack(ErrorInfo.class);
                    } catch (InvalidProtocolBufferException ex) {
                        throw new IllegalStateException(ex);
                    }
                }).orElseThrow();
    }
}
