package io.copeplatform.inference.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.copeplatform.api.events.v1.PolicyEvent;
import io.copeplatform.inference.config.InferenceConfig;
import io.copeplatform.inference.service.LivePrefixPins;
import io.copeplatform.inference.service.PolicyCache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/**
 * Follows {@code policy.events.v1}: drops a policy's cached references whenever it changes, and keeps the prefixes of
 * live versions pinned in the prefix cache (a deployment pins the new version before its first request). Every instance
 * must see every event, so each uses its own consumer group and starts at the end of the topic (what happened before it
 * started cannot be in its cache). The record key is the policy id; an undecodable value still invalidates by key.
 */
@ApplicationScoped
public class PolicyEventsListener {

    private static final Logger LOG = Logger.getLogger(PolicyEventsListener.class);

    private final InferenceConfig config;
    private final PolicyCache cache;
    private final LivePrefixPins pins;
    private final Map<String, Object> kafkaConfig;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private volatile int assignedPartitions;
    private final AtomicLong handled = new AtomicLong();
    private Thread thread;

    public PolicyEventsListener(InferenceConfig config, PolicyCache cache, LivePrefixPins pins,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.cache = cache;
        this.pins = pins;
        this.kafkaConfig = kafkaConfig;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.registry().eventsEnabled()) {
            return;
        }
        Properties props = new Properties();
        props.putAll(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "inference-policy-cache-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(config.registry().eventsTopic()));
        running = true;
        thread = new Thread(this::run, "policy-events-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Moves the prefix-cache pins with the live alias (after the reference cache dropped the policy). */
    private void follow(String policyId, PolicyEvent event) {
        switch (event.getEventCase()) {
            case VERSION_DEPLOYED -> pins.deployed(policyId, event.getVersionDeployed().getToVersion());
            case UNDEPLOYED, DELETED -> pins.withdrawn(policyId);
            default -> {
                // publish and deprecate do not move the live alias
            }
        }
    }

    /** True once the consumer owns its partitions (events from now on will be seen). */
    public boolean assigned() {
        return running && assignedPartitions > 0;
    }

    /** Events handled since start. */
    public long handled() {
        return handled.get();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
                assignedPartitions = consumer.assignment().size();
            }
        } catch (WakeupException e) {
            // shutting down
        } catch (RuntimeException e) {
            LOG.errorf(e, "Policy events listener stopped; cached policies now expire only by TTL");
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        String policyId = record.key();
        PolicyEvent event = null;
        try {
            event = PolicyEvent.parseFrom(record.value());
            LOG.debugf("Policy %s changed (%s): dropping its cached references", policyId, event.getEventCase());
        } catch (InvalidProtocolBufferException e) {
            LOG.warnf("Undecodable policy event at %s-%d@%d; invalidating policy %s by key", record.topic(),
                    record.partition(), record.offset(), policyId);
        }
        if (policyId != null) {
            cache.invalidate(policyId);
            if (event != null) {
                follow(policyId, event);
            }
        }
        handled.incrementAndGet();
    }
}
