package io.copeplatform.review;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.api.review.v1.ClaimNextTaskRequest;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.LabeledPolicy;
import io.copeplatform.api.review.v1.ListTasksRequest;
import io.copeplatform.api.review.v1.ReviewServiceGrpc;
import io.copeplatform.api.review.v1.SubmitDecisionRequest;
import io.copeplatform.api.review.v1.SubmitDecisionResponse;
import io.copeplatform.api.review.v1.Task;
import io.copeplatform.testkit.SharedInfrastructure;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;

/** A real gRPC client over a socket to the service under test, a Kafka producer of tasks, and shared helpers. */
public final class ReviewClient implements AutoCloseable {

    public static final String TEXT_A = "Content that insults a named person violates this policy. Quoted speech counts.";
    public static final String TEXT_B = "Content that demeans a specific person violates this policy.";

    private final ManagedChannel channel;
    private final KafkaProducer<String, byte[]> producer;

    public ReviewClient() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        channel = ManagedChannelBuilder.forAddress("localhost", port).usePlaintext().build();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public ReviewServiceGrpc.ReviewServiceBlockingStub as(String actor, String role) {
        Metadata headers = new Metadata();
        if (actor != null) {
            headers.put(Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER), actor);
        }
        if (role != null) {
            headers.put(Metadata.Key.of("x-cope-role", Metadata.ASCII_STRING_MARSHALLER), role);
        }
        return ReviewServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * A stub that authenticates as a built-in user with HTTP Basic credentials, plus optional {@code x-cope-*} headers
     * (which an authenticated call must ignore).
     */
    public ReviewServiceGrpc.ReviewServiceBlockingStub signedIn(String user, String password, String actorHeader,
            String roleHeader) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Basic " + java.util.Base64
                .getEncoder()
                .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (actorHeader != null) {
            headers.put(Metadata.Key.of("x-cope-actor", Metadata.ASCII_STRING_MARSHALLER), actorHeader);
        }
        if (roleHeader != null) {
            headers.put(Metadata.Key.of("x-cope-role", Metadata.ASCII_STRING_MARSHALLER), roleHeader);
        }
        return ReviewServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public ReviewServiceGrpc.ReviewServiceBlockingStub reviewer(String name) {
        return as(name, "reviewer");
    }

    public ReviewServiceGrpc.ReviewServiceBlockingStub lead(String name) {
        return as(name, "lead");
    }

    /** A valid event for item {@code item} of {@code job} (a bare id) needing {@code k} decisions. */
    public static ReviewTaskCreated event(String job, int iteration, String item, int k) {
        return ReviewTaskCreated.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSource("//labeling.test")
                .setJob("binocularJobs/" + job)
                .setIteration(iteration)
                .setItem("datasets/d1/items/" + item)
                .setContent("content of " + item)
                .setContentSha256("00")
                .setPolicyA(LabeledPolicy.newBuilder().setPolicy("policies/insults")
                        .setPolicyVersion("policies/insults/versions/1").setText(TEXT_A).setTextSha256("aa")
                        .setLabel(true).setScore(0.9).setRawAnswer("1"))
                .setPolicyB(LabeledPolicy.newBuilder().setPolicy("policies/insults").setText(TEXT_B)
                        .setTextSha256("bb").setLabel(false).setRawAnswer("0"))
                .setRequiredDecisions(k)
                .setLabeler("test-labeler")
                .build();
    }

    public void publish(String job, byte[] value) {
        try {
            producer.send(new ProducerRecord<>("review.tasks.v1", job, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void publish(ReviewTaskCreated event) {
        publish(event.getJob().substring("binocularJobs/".length()), event.toByteArray());
    }

    /** Publishes a withdrawal the way labeling-service's outbox relay does: with its CloudEvents type header. */
    public void publish(ReviewTasksWithdrawn event) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>("review.tasks.v1",
                event.getJob().substring("binocularJobs/".length()), event.toByteArray());
        record.headers().add("ce_type", ReviewTasksWithdrawn.getDescriptor().getFullName()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A withdrawal of every open task of {@code job}. */
    public static ReviewTasksWithdrawn withdrawal(String job) {
        return ReviewTasksWithdrawn.newBuilder().setEventId(UUID.randomUUID().toString())
                .setJob("binocularJobs/" + job).setReason("job cancelled").build();
    }

    /** Publishes {@code count} tasks of {@code job} needing {@code k} decisions and waits until all exist. */
    public List<Task> createTasks(String job, int count, int k) {
        for (int i = 0; i < count; i++) {
            publish(event(job, 1, "item-" + i, k));
        }
        return awaitTasks(job, count);
    }

    public List<Task> awaitTasks(String job, int count) {
        return awaitTasks(job, count, lead("lead-poller"));
    }

    /** Publishes tasks like {@link #createTasks} and waits for them, listing as {@code lister} (a lead). */
    public List<Task> createTasksAs(String job, int count, int k, ReviewServiceGrpc.ReviewServiceBlockingStub lister) {
        for (int i = 0; i < count; i++) {
            publish(event(job, 1, "item-" + i, k));
        }
        return awaitTasks(job, count, lister);
    }

    private static List<Task> awaitTasks(String job, int count, ReviewServiceGrpc.ReviewServiceBlockingStub lister) {
        List<Task> tasks = new ArrayList<>();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            tasks.clear();
            tasks.addAll(lister.listTasks(ListTasksRequest.newBuilder()
                    .setJob("binocularJobs/" + job).setPageSize(500).build()).getTasksList());
            return tasks.size() >= count;
        });
        return tasks;
    }

    /** A stub without caller headers or credentials (callers add their own). */
    public ReviewServiceGrpc.ReviewServiceBlockingStub stub() {
        return ReviewServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public static ClaimNextTaskResponse claim(ReviewServiceGrpc.ReviewServiceBlockingStub api, String job) {
        return api.claimNextTask(ClaimNextTaskRequest.newBuilder().setJob("binocularJobs/" + job).build());
    }

    public static SubmitDecisionResponse decide(ReviewServiceGrpc.ReviewServiceBlockingStub api,
            ClaimNextTaskResponse claim, boolean label) {
        return api.submitDecision(SubmitDecisionRequest.newBuilder().setTask(claim.getTask().getName())
                .setLeaseId(claim.getLease().getLeaseId()).setLabel(label)
                .setCorrectVersion(label ? CorrectVersion.CORRECT_VERSION_A : CorrectVersion.CORRECT_VERSION_B)
                .build());
    }

    /** The ErrorInfo reason of a failed call. */
    public static String reason(StatusRuntimeException e) {
        Status status = StatusProto.fromThrowable(e);
        if (status == null) {
            return "<no status details: " + e.getStatus() + ">";
        }
        return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().map(d -> {
            try {
                return d.unpack(ErrorInfo.class).getReason();
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException(ex);
            }
        }).orElse("<no ErrorInfo>");
    }

    /**
     * Reads {@code topic} from the start until {@code expected} records match, then one more poll round so a duplicate
     * would be seen.
     */
    public static List<ConsumerRecord<String, byte[]>> read(String topic,
            Predicate<ConsumerRecord<String, byte[]>> match,
            int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (match.test(r)) {
                        records.add(r);
                    }
                });
                return records.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                if (match.test(r)) {
                    records.add(r);
                }
            });
        }
        return records;
    }

    @Override
    public void close() throws InterruptedException {
        producer.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
