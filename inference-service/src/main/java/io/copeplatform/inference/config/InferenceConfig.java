package io.copeplatform.inference.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Configuration of inference-service (prefix {@code inference}); defaults are listed in the service README. */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {

    Model model();

    Batching batching();

    PrefixCache prefixCache();

    Limits limits();

    Registry registry();

    Kafka kafka();

    /** The model to serve. */
    interface Model {
        /** Model bundle directory ({@code COPE_MODEL_DIR}); required: start-up fails without one. */
        Optional<Path> dir();

        /** {@code auto} (CUDA when it loads, else CPU with a warning), {@code cpu} or {@code cuda} (or fail). */
        @WithDefault("auto")
        String device();

        /** GPU ordinal for CUDA. */
        @WithDefault("0")
        int cudaDeviceId();

        /** ONNX Runtime intra-op threads; 0 = all cores. */
        @WithDefault("0")
        int intraOpThreads();

        /** ONNX Runtime inter-op threads; 0 = default. */
        @WithDefault("0")
        int interOpThreads();
    }

    /** Dynamic batching. */
    interface Batching {
        /** Most prompts per forward pass. */
        @WithDefault("16")
        int maxBatchSize();

        /**
         * How long the first prompt of a batch waits for company — only while requests arrive together (the previous
         * batch had more than one); a lone request on a quiet engine runs at once.
         */
        @WithDefault("5ms")
        Duration maxQueueDelay();

        /** Most prompts waiting; beyond it requests get RESOURCE_EXHAUSTED at once. */
        @WithDefault("1024")
        int queueCapacity();

        /** A batch is split by length when padding would exceed this share of its tokens. */
        @WithDefault("0.5")
        double maxPaddingRatio();

        /** Batches computed concurrently. */
        @WithDefault("1")
        int workers();

        /** On shutdown, how long queued work may take to finish. */
        @WithDefault("30s")
        Duration drainTimeout();
    }

    /** The policy-prefix KV cache (models with past-key-values inputs only). */
    interface PrefixCache {
        /** Reuse the past of a policy's prompt prefix; a request then runs only its content tokens. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Most bytes of cached pasts, held off the Java heap (direct buffers: raise -XX:MaxDirectMemorySize with it).
         * Pinned live versions are kept even beyond it; unpinned prefixes are evicted least-recently-used first.
         */
        @WithDefault("512M")
        MemorySize maxBytes();

        /** Pin the prefixes of live policy versions: at start-up and on every PolicyVersionDeployed event. */
        @WithDefault("true")
        boolean pinLive();
    }

    /** Request limits; violations are INVALID_ARGUMENT with field violations. */
    interface Limits {
        @WithDefault("65536")
        int maxContentBytes();

        @WithDefault("65536")
        int maxPolicyBytes();

        /** Most (item, policy) pairs in one ClassifyBatch. */
        @WithDefault("256")
        int maxBatchPairs();
    }

    /** Resolution of policy references through policy-registry, and its cache. */
    interface Registry {
        /** Deadline of one ResolvePolicy call. */
        @WithDefault("2s")
        Duration timeout();

        /** A cached reference is re-resolved after this age (served stale while the registry is unavailable). */
        @WithDefault("60s")
        Duration cacheTtl();

        /** Most cached references. */
        @WithDefault("10000")
        long cacheMaxEntries();

        /** Listen to policy.events.v1 and drop a policy's cached references when it changes. */
        @WithDefault("true")
        boolean eventsEnabled();

        /** Topic of policy events. */
        @WithDefault("policy.events.v1")
        String eventsTopic();
    }

    /** Classification over Kafka: classify.requests.v1 in, classify.results.v1 out. */
    interface Kafka {
        /** Whether this instance consumes classification requests. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("classify.requests.v1")
        String requestsTopic();

        @WithDefault("classify.results.v1")
        String resultsTopic();

        /** Where undecodable request records go, untouched, with an error header. */
        @WithDefault("classify.requests.v1.dlq")
        String deadLetterTopic();

        /** Consumer group shared by all instances (requests are spread over them). */
        @WithDefault("inference-service")
        String groupId();

        /** Records taken per poll; they are classified concurrently, so the batcher can batch them. */
        @WithDefault("64")
        int maxPollRecords();
    }
}
