package io.copeplatform.registry;

import static io.copeplatform.registry.RegistryClient.GOOD_POLICY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.events.v1.PolicyEvent;
import io.copeplatform.api.policy.v1.DeployPolicyVersionRequest;
import io.copeplatform.api.policy.v1.DeprecatePolicyVersionRequest;
import io.copeplatform.api.policy.v1.PublishPolicyVersionRequest;
import io.copeplatform.testkit.KafkaBroker;
import io.copeplatform.testkit.SharedInfrastructure;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PolicyEventsOutboxTest {

    private static RegistryClient client;

    @BeforeAll
    static void connect() {
        client = new RegistryClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void anEventCommittedWhileKafkaIsDownArrivesExactlyOnceWhenKafkaIsBack() {
        KafkaBroker kafka = SharedInfrastructure.kafka();
        client.create("outage", GOOD_POLICY);
        kafka.stop();
        try {
            client.blocking().publishPolicyVersion(
                    PublishPolicyVersionRequest.newBuilder().setParent("policies/outage").setChangelog("v1").build());
        } finally {
            kafka.start();
        }
        List<PolicyEvent> events = eventsFor("outage", 1);
        assertEquals(1, events.size());
        assertEquals("policies/outage/versions/1", events.get(0).getVersionPublished().getPolicyVersion());
    }

    @Test
    void eventsFollowTheChangesInOrderAndFailedChangesEmitNothing() {
        var api = client.as("bob");
        client.create("evented", GOOD_POLICY);
        api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/evented").build());
        api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder().setName("policies/evented/versions/1")
                .setThreshold(0.6).build());
        // Refused changes roll back: no event may come of them.
        assertThrows(StatusRuntimeException.class, () -> api.deprecatePolicyVersion(
                DeprecatePolicyVersionRequest.newBuilder().setName("policies/evented/versions/1").build()));
        assertThrows(StatusRuntimeException.class, () -> api.publishPolicyVersion(
                PublishPolicyVersionRequest.newBuilder().setParent("policies/evented").build()));
        api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder().setName("policies/evented/versions/1")
                .setThreshold(0.8).setNote("retune").build());

        List<PolicyEvent> events = eventsFor("evented", 3);
        assertEquals(3, events.size(), events.toString());
        assertEquals(PolicyEvent.EventCase.VERSION_PUBLISHED, events.get(0).getEventCase());
        var firstDeploy = events.get(1).getVersionDeployed();
        assertEquals("policies/evented/versions/1", firstDeploy.getToVersion());
        assertEquals(0.6, firstDeploy.getThreshold());
        assertEquals("bob", firstDeploy.getActor());
        assertEquals(64, firstDeploy.getToTextSha256().length());
        var secondDeploy = events.get(2).getVersionDeployed();
        assertEquals(0.8, secondDeploy.getThreshold());
        assertEquals(0.6, secondDeploy.getPreviousThreshold());
    }

    @Test
    void aChangeThatFailsAtCommitAfterWritingItsEventEmitsNothing() throws Exception {
        var api = client.as("bob");
        client.create("fails-at-commit", GOOD_POLICY);
        api.publishPolicyVersion(PublishPolicyVersionRequest.newBuilder().setParent("policies/fails-at-commit")
                .build());
        // A deferred trigger fails the deploy's transaction at COMMIT, when its outbox row has long been written: an
        // outbox written outside the change's transaction would still send the event.
        sql("CREATE FUNCTION registry.test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$",
                "CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON registry.deployments "
                        + "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.policy_id = 'fails-at-commit') "
                        + "EXECUTE FUNCTION registry.test_fail_at_commit()");
        try {
            assertThrows(StatusRuntimeException.class, () -> api.deployPolicyVersion(DeployPolicyVersionRequest
                    .newBuilder().setName("policies/fails-at-commit/versions/1").setThreshold(0.3).build()));
        } finally {
            sql("DROP TRIGGER test_fail_at_commit ON registry.deployments",
                    "DROP FUNCTION registry.test_fail_at_commit()");
        }
        api.deployPolicyVersion(DeployPolicyVersionRequest.newBuilder()
                .setName("policies/fails-at-commit/versions/1").setThreshold(0.7).build());

        List<PolicyEvent> events = eventsFor("fails-at-commit", 2);
        assertEquals(2, events.size(), events.toString());
        assertEquals(PolicyEvent.EventCase.VERSION_PUBLISHED, events.get(0).getEventCase());
        assertEquals(0.7, events.get(1).getVersionDeployed().getThreshold(), "only the deploy that committed");
        assertFalse(events.get(1).getVersionDeployed().hasPreviousThreshold(), "the first deploy that took effect");
    }

    private static void sql(String... statements) throws SQLException {
        var config = ConfigProvider.getConfig();
        try (Connection db = DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class),
                config.getValue("quarkus.datasource.username", String.class),
                config.getValue("quarkus.datasource.password", String.class));
                Statement statement = db.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /**
     * Reads the whole topic until {@code expected} events of the policy arrived, then one more full poll round so a
     * duplicate or an extra event would be seen.
     */
    private static List<PolicyEvent> eventsFor(String policyId, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, SharedInfrastructure.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("policy.events.v1"));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(policyId)) {
                        records.add(r);
                    }
                });
                return records.size() >= expected;
            });
            consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                if (r.key().equals(policyId)) {
                    records.add(r);
                }
            });
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            assertEquals("application/protobuf",
                    new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8));
        }
        return records.stream().map(r -> {
            try {
                return PolicyEvent.parseFrom(r.value());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }
}
