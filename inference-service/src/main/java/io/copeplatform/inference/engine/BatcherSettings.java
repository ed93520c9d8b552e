package io.copeplatform.inference.engine;

import java.time.Duration;

/**
 * Dynamic batching.
 *
 * @param maxBatchSize
 *            most prompts in one forward pass
 * @param maxQueueDelay
 *            how long the first prompt of a batch may wait for company
 * @param queueCapacity
 *            most prompts waiting; beyond it requests are refused at once
 * @param maxPaddingRatio
 *            a batch is split when padding would exceed this share of its tokens (length grouping)
 * @param workers
 *            batches computed concurrently (1 suits one GPU or a small CPU)
 */
public record BatcherSettings(int maxBatchSize, Duration maxQueueDelay, int queueCapacity, double maxPaddingRatio,
        int workers) {

    public BatcherSettings {
        if (maxBatchSize < 1 || queueCapacity < 1 || workers < 1) {
            throw new IllegalArgumentException("max-batch-size, queue-capacity and workers must be >= 1");
        }
        if (maxPaddingRatio < 0 || maxPaddingRatio >= 1) {
            throw new IllegalArgumentException("max-padding-ratio must be in [0, 1)");
        }
    }

    public static BatcherSettings defaults() {
        return new BatcherSettings(16, Duration.ofMillis(5), 1024, 0.5, 1);
    }
}
