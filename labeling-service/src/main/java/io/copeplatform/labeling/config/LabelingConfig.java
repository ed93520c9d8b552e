package io.copeplatform.labeling.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of labeling-service (prefix {@code labeling}); defaults are listed in the service README. */
@ConfigMapping(prefix = "labeling")
public interface LabelingConfig {

    /** CloudEvents {@code source} of the events this service emits. */
    @WithDefault("//labeling.cope.io")
    String eventSource();

    /** Page size when a List request gives none. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page size a List request may ask for (larger values are clamped). */
    @WithDefault("500")
    int maxPageSize();

    /** Training-set export rows read from the database cursor per fetch (what the service holds at a time). */
    @WithDefault("500")
    int exportFetchSize();

    Datasets datasets();

    Llm llm();

    Limits limits();

    Jobs jobs();

    Outbox outbox();

    Decisions decisions();

    /** Dataset import limits. */
    interface Datasets {
        /** Most items one dataset may hold; further rows are rejected with DATASET_ITEM_LIMIT_REACHED. */
        @WithDefault("100000")
        int maxItems();

        /** Largest item text in UTF-8 bytes (TEXT_TOO_LARGE beyond). */
        @WithDefault("65536")
        int maxTextBytes();

        /** Longest external id in characters (EXTERNAL_ID_TOO_LONG beyond). */
        @WithDefault("256")
        int maxExternalIdLength();
    }

    /** The default OpenAI-compatible Chat Completions endpoint (labeler, paraphraser, refiner). */
    interface Llm {
        /** Base URL, e.g. https://api.openai.com/v1 (env LABELING_LLM_BASE_URL). */
        @WithDefault("http://localhost:11434/v1")
        String baseUrl();

        /** Model name sent with each request (env LABELING_LLM_MODEL). */
        @WithDefault("gpt-4o-mini")
        String model();

        /** API key of the default endpoint (env LABELING_LLM_API_KEY); none when unset. */
        Optional<String> apiKey();

        /**
         * Named API keys that a job's {@code api_key_secret} may refer to ({@code labeling.llm.secrets.<name>=key});
         * the keys themselves never travel in the API.
         */
        Map<String, String> secrets();

        /** {@code max_tokens} of a labeling request: the answer is one digit or a tiny JSON object. */
        @WithDefault("8")
        int labelMaxTokens();

        /** {@code max_tokens} of paraphrase and refine requests (they return a whole policy). */
        @WithDefault("4096")
        int rewriteMaxTokens();

        /** Timeout of one HTTP request. */
        @WithDefault("30s")
        Duration requestTimeout();

        /** Timeout of one paraphrase or refine request (long outputs). */
        @WithDefault("180s")
        Duration rewriteTimeout();
    }

    /** Defaults of {@code LabelerLimits} and retry timing. */
    interface Limits {
        /** Requests in flight per job when the job gives no max_concurrency. */
        @WithDefault("8")
        int defaultConcurrency();

        /** Largest max_concurrency a job may ask for. */
        @WithDefault("64")
        int maxConcurrency();

        /** Retries on 429/5xx/timeouts when the job gives none. */
        @WithDefault("4")
        int defaultMaxRetries();

        /** First backoff; doubled per retry, with full jitter. */
        @WithDefault("500ms")
        Duration initialBackoff();

        /** Longest backoff (and longest honoured Retry-After). */
        @WithDefault("30s")
        Duration maxBackoff();
    }

    /** Job scheduling. */
    interface Jobs {
        /** Whether this instance runs jobs (a read-only replica may turn it off). */
        @WithDefault("true")
        boolean enabled();

        /** How often the scheduler looks for runnable jobs (new, resumed, reviewed). */
        @WithDefault("1s")
        Duration schedulerInterval();

        /** How often WatchBinocularJob looks for changes. */
        @WithDefault("500ms")
        Duration watchInterval();

        /** Policy id prefix of server-chosen paraphrase policies ({@code <prefix><policy of A>}). */
        @WithDefault("paraphrase-of-")
        String paraphrasePolicyPrefix();

        /**
         * This instance's name as a job lease owner; unset: the HOSTNAME (a restarted pod of a StatefulSet keeps its
         * leases) or else a random id.
         */
        Optional<String> instanceId();

        /** How long a claimed job stays leased to this instance without a renewal. */
        @WithDefault("30s")
        Duration leaseDuration();

        /** How often the leases of running jobs are renewed (well below lease-duration). */
        @WithDefault("10s")
        Duration leaseRenewInterval();
    }

    /** The relay from the outbox table to Kafka. */
    interface Outbox {
        /** Whether this instance relays. */
        @WithDefault("true")
        boolean enabled();

        /** Topic of ReviewTaskCreated events. */
        @WithDefault("review.tasks.v1")
        String topic();

        /** How often the relay looks for unsent events. */
        @WithDefault("250ms")
        Duration pollInterval();

        /** Most events sent per poll. */
        @WithDefault("100")
        int batchSize();

        /** How long one send may wait for the broker. */
        @WithDefault("10s")
        Duration sendTimeout();
    }

    /** The consumer of {@code review.decisions.v1}. */
    interface Decisions {
        /** Whether this instance consumes decisions. */
        @WithDefault("true")
        boolean enabled();

        /** Topic of ReviewDecisionMade events. */
        @WithDefault("review.decisions.v1")
        String topic();

        /** Where undecodable or invalid records go. */
        @WithDefault("review.decisions.v1.dlq")
        String deadLetterTopic();

        /** Consumer group. */
        @WithDefault("labeling-service")
        String groupId();

        /** Longest wait of one poll. */
        @WithDefault("1s")
        Duration pollTimeout();

        /** Pause before a failed batch is retried. */
        @WithDefault("2s")
        Duration retryBackoff();
    }
}
