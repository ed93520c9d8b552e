package io.copeplatform.review.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of review-service (prefix {@code review}); defaults are listed in the service README. */
@ConfigMapping(prefix = "review")
public interface ReviewConfig {

    /** CloudEvents {@code source} of the events this service emits. */
    @WithDefault("//review.cope.io")
    String eventSource();

    /** Page size when a List request gives none. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page size a List request may ask for (larger values are clamped). */
    @WithDefault("500")
    int maxPageSize();

    /** Largest accepted decision note in UTF-8 bytes. */
    @WithDefault("4096")
    int maxNoteBytes();

    Lease lease();

    Auth auth();

    Console console();

    Intake intake();

    Outbox outbox();

    /** Leases on decision slots. */
    interface Lease {
        /** Lease when a request names none. */
        @WithDefault("10m")
        Duration defaultDuration();

        /** Longest lease a request may ask for (longer requests are clamped). */
        @WithDefault("1h")
        Duration maxDuration();

        /** Shortest lease a request may ask for (shorter ones are refused with INVALID_LEASE_DURATION). */
        @WithDefault("1s")
        Duration minDuration();
    }

    /** How callers are identified (see the README, "Identity and roles"). */
    interface Auth {
        /**
         * Whether gRPC calls WITHOUT credentials may name their caller in the {@code x-cope-actor} /
         * {@code x-cope-role} metadata. Only for deployments where an authenticating proxy sets these headers and
         * strips any a client sent; off by default, so an unauthenticated call is refused (UNAUTHENTICATED).
         * Authenticated calls (Basic or an OIDC bearer token) always use their identity and ignore the headers.
         */
        @WithDefault("false")
        boolean trustCallerMetadata();
    }

    /** The web console. */
    interface Console {
        /** Whether task content starts blurred (a reviewer reveals it with the blur toggle). */
        @WithDefault("true")
        boolean blurContentByDefault();

        /** Audit log entries per console page. */
        @WithDefault("50")
        int auditPageSize();
    }

    /** The consumer of {@code review.tasks.v1}. */
    interface Intake {
        /** Whether this instance consumes tasks. */
        @WithDefault("true")
        boolean enabled();

        /** Topic of ReviewTaskCreated events. */
        @WithDefault("review.tasks.v1")
        String topic();

        /** Where undecodable or invalid records go. */
        @WithDefault("review.tasks.v1.dlq")
        String deadLetterTopic();

        /** Consumer group. */
        @WithDefault("review-service")
        String groupId();

        /** Longest wait of one poll. */
        @WithDefault("1s")
        Duration pollTimeout();

        /** Pause before a batch whose storage or dead-lettering failed is retried. */
        @WithDefault("2s")
        Duration retryBackoff();
    }

    /** The relay from the outbox table to Kafka. */
    interface Outbox {
        /** Whether this instance relays (any number of instances may; one relays at a time). */
        @WithDefault("true")
        boolean enabled();

        /** Topic of ReviewDecisionMade events. */
        @WithDefault("review.decisions.v1")
        String topic();

        /** How often the relay looks for unsent events. */
        @WithDefault("250ms")
        Duration pollInterval();

        /** Most events sent per poll. */
        @WithDefault("100")
        int batchSize();

        /** How long one send may wait for the broker before the relay gives up and retries later. */
        @WithDefault("10s")
        Duration sendTimeout();
    }
}
