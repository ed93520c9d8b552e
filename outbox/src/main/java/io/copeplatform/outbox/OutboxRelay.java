package io.copeplatform.outbox;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Sends committed outbox rows to Kafka, oldest first, and marks them sent once the broker acknowledged them.
 * <p>
 * Guarantees: an event is sent only if its transaction committed (it is only visible then); an event is never lost when
 * Kafka is down (the row stays unsent and is retried every poll until the broker is back). Delivery is at-least-once: a
 * crash between the broker's ack and the UPDATE resends a row, so consumers deduplicate on the event id. Across
 * replicas, a PostgreSQL advisory lock (one key per outbox schema) lets one relay run at a time, which keeps per-key
 * order.
 * <p>
 * The table is {@code <schema>.outbox(id bigserial, event_id uuid, topic, record_key, event_type, payload bytea,
 * create_time timestamptz, sent_time timestamptz)}; services write it in their own transactions.
 */
public final class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    /**
     * @param schema
     *            the service's schema holding the {@code outbox} table (a plain identifier)
     * @param eventSource
     *            CloudEvents {@code source} header value
     * @param pollInterval
     *            how often to look for unsent rows (an idle poll is one indexed query)
     * @param batchSize
     *            most rows sent per poll
     * @param sendTimeout
     *            how long a send may wait for the broker before the relay retries later
     */
    public record Settings(String schema, String eventSource, Duration pollInterval, int batchSize,
            Duration sendTimeout) {

        public Settings {
            if (!schema.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("Not a plain schema name: " + schema);
            }
        }
    }

    private final DataSource dataSource;
    private final Settings settings;
    private final Map<String, Object> kafkaConfig;
    private final long lockKey;
    private final AtomicLong pending = new AtomicLong();
    private ScheduledExecutorService executor;
    private KafkaProducer<String, byte[]> producer;
    private boolean brokerDown;

    public OutboxRelay(DataSource dataSource, Map<String, Object> kafkaConfig, Settings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.kafkaConfig = Map.copyOf(kafkaConfig);
        // "outbox" in ASCII, mixed with the schema: one lock per service sharing a database.
        this.lockKey = 0x6f7574626f78L ^ ((long) settings.schema().hashCode() << 16);
    }

    /** Starts polling on a thread of its own. */
    public synchronized void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, settings.schema() + "-outbox-relay"));
        long period = settings.pollInterval().toMillis();
        executor.scheduleWithFixedDelay(this::relaySafely, period, period, TimeUnit.MILLISECONDS);
    }

    /** Unsent rows seen at the end of the last cycle (a gauge for metrics). */
    public AtomicLong pending() {
        return pending;
    }

    @Override
    public synchronized void close() {
        if (executor != null) {
            executor.shutdown();
            try {
                executor.awaitTermination(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeProducer();
    }

    private void relaySafely() {
        try {
            relayOnce();
        } catch (Exception e) {
            LOG.warnf("Outbox relay cycle failed, will retry: %s", e.toString());
        }
    }

    /** One cycle: under the advisory lock, send a batch of unsent rows in order; stop at the first failure. */
    public int relayOnce() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            if (!tryLock(connection)) {
                return 0;
            }
            try {
                List<Row> rows = unsent(connection);
                int sent = send(connection, rows);
                pending.set(countUnsent(connection));
                return sent;
            } finally {
                unlock(connection);
            }
        }
    }

    private int send(Connection connection, List<Row> rows) throws SQLException {
        if (rows.isEmpty()) {
            return 0;
        }
        List<Future<?>> acks = new ArrayList<>(rows.size());
        try {
            KafkaProducer<String, byte[]> kafka = producer();
            for (Row row : rows) {
                acks.add(kafka.send(row.toRecord(settings.eventSource())));
            }
        } catch (RuntimeException e) {
            onBrokerFailure(e);
            return 0;
        }
        int sent = 0;
        try (PreparedStatement markSent = connection
                .prepareStatement("UPDATE " + settings.schema() + ".outbox SET sent_time = now() WHERE id = ?")) {
            for (int i = 0; i < rows.size(); i++) {
                try {
                    acks.get(i).get(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return sent;
                } catch (Exception e) {
                    // Later rows must wait: they are resent, in order, with this one on the next cycle.
                    onBrokerFailure(e);
                    return sent;
                }
                markSent.setLong(1, rows.get(i).id());
                markSent.executeUpdate();
                sent++;
            }
        }
        if (brokerDown) {
            LOG.infof("Kafka reachable again; outbox relay resumed");
            brokerDown = false;
        }
        return sent;
    }

    private void onBrokerFailure(Exception e) {
        if (!brokerDown) {
            LOG.warnf("Kafka unavailable, outbox events stay queued and will be retried: %s", e.toString());
            brokerDown = true;
        }
        // A producer whose sends timed out may hold stale state; start clean next cycle.
        closeProducer();
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.putAll(kafkaConfig);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
            int timeout = (int) settings.sendTimeout().toMillis();
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(timeout, 5_000)));
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout + 1));
            props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private List<Row> unsent(Connection connection) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT id, event_id, topic, record_key, event_type, payload, create_time FROM " + settings.schema()
                        + ".outbox "
                        + "WHERE sent_time IS NULL ORDER BY id LIMIT ?")) {
            query.setInt(1, settings.batchSize());
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getBytes(6), rs.getObject(7, OffsetDateTime.class)));
                }
            }
        }
        return rows;
    }

    private long countUnsent(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement
                        .executeQuery(
                                "SELECT count(*) FROM " + settings.schema() + ".outbox WHERE sent_time IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, lockKey);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void unlock(Connection connection) throws SQLException {
        try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            unlock.setLong(1, lockKey);
            unlock.execute();
        }
    }

    /** An outbox row as read by the relay. */
    private record Row(long id, String eventId, String topic, String key, String type, byte[] payload,
            OffsetDateTime createTime) {

        ProducerRecord<String, byte[]> toRecord(String source) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, payload);
            record.headers()
                    .add(header("ce_specversion", "1.0"))
                    .add(header("ce_id", eventId))
                    .add(header("ce_source", source))
                    .add(header("ce_type", type))
                    .add(header("ce_time", createTime.toInstant().toString()))
                    .add(header("content-type", "application/protobuf"));
            return record;
        }

        private static RecordHeader header(String name, String value) {
            return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }
}
