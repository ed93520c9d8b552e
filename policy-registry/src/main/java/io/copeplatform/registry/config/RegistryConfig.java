package io.copeplatform.registry.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of policy-registry (prefix {@code registry}); defaults are listed in the service README. */
@ConfigMapping(prefix = "registry")
public interface RegistryConfig {

    /** Largest accepted policy text in UTF-8 bytes ({@code registry.max-text-bytes}). */
    @WithDefault("65536")
    int maxTextBytes();

    /** Decision threshold of a deployment that names none and has no predecessor. */
    @WithDefault("0.5")
    double defaultThreshold();

    /** Page size when a List request gives none. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page size a List request may ask for (larger values are clamped). */
    @WithDefault("500")
    int maxPageSize();

    /** CloudEvents {@code source} of the events this service emits. */
    @WithDefault("//policy-registry.cope.io")
    String eventSource();

    Lint lint();

    Outbox outbox();

    ResolveCache resolveCache();

    /** The token budget the lint rules check against. */
    interface Lint {
        /** Model context for template + policy + content (CoPE: 8,192). */
        @WithDefault("8192")
        int contextTokens();

        /** Tokens a policy should leave free for the content. */
        @WithDefault("1024")
        int reservedContentTokens();

        /** Tokens the prompt template itself takes. */
        @WithDefault("64")
        int templateTokens();
    }

    /** The relay from the outbox table to Kafka. */
    interface Outbox {
        /** Whether this instance relays (any number of instances may; one relays at a time). */
        @WithDefault("true")
        boolean enabled();

        /** Topic of policy events. */
        @WithDefault("policy.events.v1")
        String topic();

        /** How often the relay looks for unsent events (an idle poll is one indexed query). */
        @WithDefault("250ms")
        Duration pollInterval();

        /** Most events sent per poll. */
        @WithDefault("100")
        int batchSize();

        /** How long one send may wait for the broker before the relay gives up and retries later. */
        @WithDefault("10s")
        Duration sendTimeout();
    }

    /**
     * Each replica's cache of ResolvePolicy answers. An entry is dropped when PostgreSQL notifies a committed change of
     * its policy (from any replica or writer), and the cache is bypassed whenever this replica is not listening.
     */
    interface ResolveCache {
        /** Whether resolutions are cached; false sends every ResolvePolicy to PostgreSQL. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Most memory the cached answers may take, counted as their policy texts' lengths plus 256 bytes each (one
         * answer per policy and selector: {@code @live}, {@code @latest}, a version number). 64 MiB holds 8,000 answers
         * of 8 KB; the least recently used go first.
         */
        @WithDefault("67108864")
        long maxBytes();

        /** How long to wait before listening again after the notification connection failed or was lost. */
        @WithDefault("1s")
        Duration reconnectInterval();

        /** How often the listening connection checks that notifications still reach it (a probe of its own). */
        @WithDefault("5s")
        Duration probeInterval();

        /**
         * How long a probe may take to come back before the cache stops and the connection is replaced. A silently
         * broken notification path leaves the cache stale for at most about probe-interval + probe-timeout.
         */
        @WithDefault("5s")
        Duration probeTimeout();
    }
}
