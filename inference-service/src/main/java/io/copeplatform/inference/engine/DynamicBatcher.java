package io.copeplatform.inference.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Collects prompts into batches: a worker takes the first waiting prompt, gathers more for at most
 * {@code maxQueueDelay} (or until {@code maxBatchSize}), drops those whose deadline passed, groups the rest by length
 * so padding stays under {@code maxPaddingRatio}, and runs each group as one forward pass.
 * <p>
 * The queue is bounded: a full queue refuses at once ({@link QueueFullException}). {@link #close()} stops taking work
 * and drains what is queued.
 *
 * @param <R>
 *            the per-prompt result of a batch run
 */
public final class DynamicBatcher<R> implements AutoCloseable {

    private final BatcherSettings settings;
    private final Function<List<long[]>, List<R>> runBatch;
    private final BlockingQueue<Pending<R>> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final BatchObserver observer;
    private volatile boolean closing;

    /**
     * @param runBatch
     *            computes one batch (prompts of any lengths); returns one result per prompt, in order
     * @param observer
     *            told about every batch and drop (metrics)
     */
    public DynamicBatcher(BatcherSettings settings, Function<List<long[]>, List<R>> runBatch,
            BatchObserver observer) {
        this.settings = settings;
        this.runBatch = runBatch;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "inference-batcher-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    /**
     * Queues a prompt. {@code deadlineNanos} is a {@link System#nanoTime()} instant after which the prompt is dropped
     * before compute ({@link Long#MAX_VALUE}: none).
     */
    public CompletableFuture<Batched<R>> submit(long[] prompt, long deadlineNanos) {
        if (closing) {
            throw new ShuttingDownException();
        }
        Pending<R> pending = new Pending<>(prompt, deadlineNanos, System.nanoTime(), new CompletableFuture<>());
        if (!queue.offer(pending)) {
            observer.rejected();
            throw new QueueFullException(settings.queueCapacity());
        }
        return pending.result();
    }

    public int queueDepth() {
        return queue.size();
    }

    private void work() {
        List<Pending<R>> batch = new ArrayList<>(settings.maxBatchSize());
        while (!closing || !queue.isEmpty()) {
            try {
                Pending<R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long gatherUntil = first.enqueuedNanos() + settings.maxQueueDelay().toNanos();
                while (batch.size() < settings.maxBatchSize()) {
                    long wait = gatherUntil - System.nanoTime();
                    Pending<R> next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                runGrouped(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failAll(batch, new ShuttingDownException());
                return;
            } catch (RuntimeException | Error e) {
                failAll(batch, e);
            } finally {
                batch.clear();
            }
        }
    }

    private void runGrouped(List<Pending<R>> batch) {
        long now = System.nanoTime();
        List<Pending<R>> live = new ArrayList<>(batch.size());
        for (Pending<R> pending : batch) {
            if (now > pending.deadlineNanos()) {
                observer.droppedPastDeadline();
                pending.result().completeExceptionally(new DeadlineExceededException(
                        Duration.ofNanos(now - pending.enqueuedNanos()).toMillis()));
            } else {
                live.add(pending);
            }
        }
        live.sort(Comparator.comparingInt(p -> p.prompt().length));
        int start = 0;
        while (start < live.size()) {
            int end = groupEnd(live, start);
            run(live.subList(start, end), now);
            start = end;
        }
    }

    /** Extends the group (sorted by length) while padding stays within the allowed share of its tokens. */
    private int groupEnd(List<Pending<R>> sorted, int start) {
        long real = 0;
        int end = start;
        while (end < sorted.size()) {
            int longest = sorted.get(end).prompt().length;
            long candidateReal = real + longest;
            long total = (long) longest * (end - start + 1);
            if (end > start && 1.0 - (double) candidateReal / total > settings.maxPaddingRatio()) {
                break;
            }
            real = candidateReal;
            end++;
        }
        return end;
    }

    private void run(List<Pending<R>> group, long dequeuedNanos) {
        List<long[]> prompts = group.stream().map(Pending::prompt).toList();
        long started = System.nanoTime();
        List<R> results = runBatch.apply(prompts);
        long computeNanos = System.nanoTime() - started;
        int maxLength = prompts.get(prompts.size() - 1).length;
        observer.batch(group.size(), maxLength, computeNanos);
        for (int i = 0; i < group.size(); i++) {
            Pending<R> pending = group.get(i);
            pending.result().complete(new Batched<>(results.get(i), dequeuedNanos - pending.enqueuedNanos(),
                    computeNanos, group.size()));
        }
    }

    private static <R> void failAll(List<Pending<R>> batch, Throwable failure) {
        for (Pending<R> pending : batch) {
            pending.result().completeExceptionally(failure);
        }
    }

    /** Stops accepting work, finishes everything queued, then returns (bounded by {@code timeout}). */
    public void close(Duration timeout) {
        closing = true;
        long until = System.nanoTime() + timeout.toNanos();
        for (Thread worker : workers) {
            try {
                worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Pending<R> left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new ShuttingDownException());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** A result with how it was obtained: time queued, batch compute time and batch size. */
    public record Batched<R>(R value, long queueNanos, long computeNanos, int batchSize) {
    }

    private record Pending<R>(long[] prompt, long deadlineNanos, long enqueuedNanos,
            CompletableFuture<Batched<R>> result) {
    }

    /** Hooks for metrics. */
    public interface BatchObserver {
        BatchObserver NONE = new BatchObserver() {
        };

        default void batch(int size, int maxTokens, long computeNanos) {
        }

        default void droppedPastDeadline() {
        }

        default void rejected() {
        }
    }
}
