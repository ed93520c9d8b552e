package io.copeplatform.labeling;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

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

import io.copeplatform.api.events.v1.ReviewTaskCreated;
import io.copeplatform.api.events.v1.ReviewTasksWithdrawn;
import io.copeplatform.api.labeling.v1.CreateDatasetRequest;
import io.copeplatform.api.labeling.v1.Dataset;
import io.copeplatform.api.labeling.v1.DatasetItemInput;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsRequest;
import io.copeplatform.api.policy.v1.CreatePolicyRequest;
import io.copeplatform.api.policy.v1.Policy;
import io.copeplatform.api.policy.v1.PolicyDraft;
import io.copeplatform.api.policy.v1.PolicyRegistryServiceGrpc;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.testkit.RegistryProcess;
import io.copeplatform.testkit.SharedInfrastructure;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** Shared test fixtures: policies in the real registry, datasets, Kafka producer/consumer helpers. */
public final class Fixtures implements AutoCloseable {

    /** The example spam policy (lint-clean CoPE structure) with the strict clause the fake LLM reacts to. */
    public static final String POLICY_TEXT = examplePolicy();
    /** The same policy with its ambiguous clause worded the other way: FakeLlm disagrees on the known items. */
    public static final String LENIENT_POLICY_TEXT = POLICY_TEXT.replace(FakeLlm.STRICT_CLAUSE,
            FakeLlm.LENIENT_CLAUSE);

    private final ManagedChannel registryChannel;
    private final KafkaProducer<String, byte[]> producer;

    public Fixtures() {
        registryChannel = ManagedChannelBuilder.forAddress("localhost", RegistryProcess.get().port()).usePlaintext()
                .build();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static String examplePolicy() {
        try {
            String text = Files.readString(Path.of("../policy-registry/src/main/resources/examples/spam.md"));
            String anchor = "- The labels apply the same way in every language.";
            if (!text.contains(anchor)) {
                throw new IllegalStateException("spam.md changed: anchor line missing");
            }
            return text.replace(anchor, anchor + "\n- " + FakeLlm.STRICT_CLAUSE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public PolicyRegistryServiceGrpc.PolicyRegistryServiceBlockingStub registry() {
        return PolicyRegistryServiceGrpc.newBlockingStub(registryChannel);
    }

    /** Creates a policy with {@code text} and publishes version 1; returns the version name. */
    public String publishedPolicy(String id, String text) {
        registry().createPolicy(CreatePolicyRequest.newBuilder().setPolicyId(id)
                .setPolicy(Policy.newBuilder().setDisplayName(id).setDraft(PolicyDraft.newBuilder().setText(text)))
                .build());
        return registry().publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/" + id)
                .setChangelog("v1").build()).getPolicyVersion().getName();
    }

    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a dataset with the given texts (gold labels null) through the gRPC client stream. */
    public static void dataset(LabelingClient client, String id, List<String> texts, List<Boolean> labels)
            throws Exception {
        client.blocking().createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id)
                .setDataset(Dataset.newBuilder().setDisplayName(id)).build());
        ImportDatasetItemsRequest.Builder message = ImportDatasetItemsRequest.newBuilder().setDataset("datasets/" + id);
        for (int i = 0; i < texts.size(); i++) {
            DatasetItemInput.Builder item = DatasetItemInput.newBuilder().setText(texts.get(i)).setExternalId("e" + i);
            if (labels != null && labels.get(i) != null) {
                item.setExpectedLabel(labels.get(i));
            }
            message.addItems(item);
        }
        DatasetImportTest.importItems(client, List.of(message.build()));
    }

    /** Client-streams import messages (the first names the dataset). */
    public static void importMessages(LabelingClient client, List<ImportDatasetItemsRequest> messages)
            throws Exception {
        DatasetImportTest.importItems(client, messages);
    }

    public void publish(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for {@code count} ReviewTaskCreated events of {@code job} on review.tasks.v1. */
    public static List<ReviewTaskCreated> awaitReviewTasks(String job, int count, Duration timeout) {
        return awaitEvents(job, count, timeout, ReviewTaskCreated.getDescriptor().getFullName(), value -> {
            ReviewTaskCreated event = ReviewTaskCreated.parseFrom(value);
            return event.getJob().equals(job) ? event : null;
        });
    }

    /** Waits for a ReviewTasksWithdrawn event of {@code job} on review.tasks.v1. */
    public static ReviewTasksWithdrawn awaitWithdrawal(String job, Duration timeout) {
        return awaitEvents(job, 1, timeout, ReviewTasksWithdrawn.getDescriptor().getFullName(), value -> {
            ReviewTasksWithdrawn event = ReviewTasksWithdrawn.parseFrom(value);
            return event.getJob().equals(job) ? event : null;
        }).get(0);
    }

    /** Decodes a record value; null when it is not wanted. */
    interface Decoder<T> {
        T decode(byte[] value) throws Exception;
    }

    /** Events of one CloudEvents type ({@code ce_type} header, as the outbox relay writes it) on review.tasks.v1. */
    private static <T> List<T> awaitEvents(String job, int count, Duration timeout, String type, Decoder<T> decoder) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<T> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("review.tasks.v1"));
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    var header = r.headers().lastHeader("ce_type");
                    if (header == null || !type.equals(new String(header.value(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    T event = decoder.decode(r.value());
                    if (event != null) {
                        events.add(event);
                    }
                }
                return events.size() >= count;
            });
        }
        return events;
    }

    @Override
    public void close() throws InterruptedException {
        producer.close(Duration.ofSeconds(5));
        registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
