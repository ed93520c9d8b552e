package io.copeplatform.labeling.messaging;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.outbox.OutboxRelay;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;

/** Runs the shared {@link OutboxRelay} over this service's outbox (review tasks) for the life of the application. */
@ApplicationScoped
public class ReviewTasksRelay {

    private static final Logger LOG = Logger.getLogger(ReviewTasksRelay.class);

    private final OutboxRelay relay;
    private final boolean enabled;

    public ReviewTasksRelay(AgroalDataSource dataSource, LabelingConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.enabled = config.outbox().enabled();
        this.relay = new OutboxRelay(dataSource, kafkaConfig, new OutboxRelay.Settings("labeling",
                config.eventSource(), config.outbox().pollInterval(), config.outbox().batchSize(),
                config.outbox().sendTimeout()));
        meters.gauge("labeling.outbox.pending", relay.pending());
    }

    void onStart(@Observes StartupEvent event) {
        if (enabled) {
            relay.start();
        } else {
            LOG.info("Outbox relay disabled (labeling.outbox.enabled=false)");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        relay.close();
    }
}
