package io.copeplatform.inference.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Collects work items into batches: a worker takes the first waiting item, gathers more for at most
 * {@code maxQueueDelay} (or until {@code maxBatchSize}) — but only while requests are arriving together (the previous
 * gathering found more than one): a lone request on an idle batcher runs at once with whatever is already queued, so
 * light traffic never pays the delay, and under load requests queue up during each forward pass and batch anyway —,
 * drops those whose deadline passed, splits the rest by group key (items of one forward pass must share it — e.g. the
 * same cached policy prefix), then within a group by length so padding stays under {@code maxPaddingRatio}, and runs
 * each part as one forward pass.
 * <p>
 * The queue is bounded: a full queue refuses at once ({@link QueueFullException}). {@link #close()} stops taking work
 * and drains what is queued.
 *
 * @param <T>
 *            a work item (a prompt)
 * @param <R>
 *            the per-item result of a batch run
 */
public final class DynamicBatcher<T, R> implements AutoCloseable {

    private final BatcherSettings settings;
    private final Function<List<T>, List<R>> runBatch;
    private final Function<T, Object> groupKey;
    private final ToIntFunction<T> length;
    private final BlockingQueue<Pending<T, R>> queue;
    private final List<Thread> workers = new ArrayList<>();
    private final BatchObserver observer;
    private volatile boolean closing;

    /**
     * @param runBatch
     *            computes one batch (items of one group key, any lengths); returns one result per item, in order
     * @param groupKey
     *            items with different keys never share a batch ({@code null} is a key like any other)
     * @param length
     *            tokens an item costs in a forward pass (for length grouping)
     * @param observer
     *            told about every batch and drop (metrics)
     */
    public DynamicBatcher(BatcherSettings settings, Function<List<T>, List<R>> runBatch, Function<T, Object> groupKey,
            ToIntFunction<T> length, BatchObserver observer) {
        this.settings = settings;
        this.runBatch = runBatch;
        this.groupKey = groupKey;
        this.length = length;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "inference-batcher-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    /** A batcher of plain prompts (token ids), all in one group. */
    public static <R> DynamicBatcher<long[], R> ofPrompts(BatcherSettings settings,
            Function<List<long[]>, List<R>> runBatch, BatchObserver observer) {
        return new DynamicBatcher<>(settings, runBatch, prompt -> null, prompt -> prompt.length, observer);
    }

    /**
     * Queues an item. {@code deadlineNanos} is a {@link System#nanoTime()} instant after which the item is dropped
     * before compute ({@link Long#MAX_VALUE}: none).
     */
    public CompletableFuture<Batched<R>> submit(T item, long deadlineNanos) {
        if (closing) {
            throw new ShuttingDownException();
        }
        Pending<T, R> pending = new Pending<>(item, length.applyAsInt(item), deadlineNanos, System.nanoTime(),
                new CompletableFuture<>());
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
        List<Pending<T, R>> batch = new ArrayList<>(settings.maxBatchSize());
        // Whether the previous gathering found company: only then is waiting for more worth its latency.
        boolean busy = true;
        while (!closing || !queue.isEmpty()) {
            try {
                Pending<T, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    busy = false;
                    continue;
                }
                batch.add(first);
                long gatherUntil = busy ? first.enqueuedNanos() + settings.maxQueueDelay().toNanos() : 0;
                while (batch.size() < settings.maxBatchSize()) {
                    long wait = gatherUntil - System.nanoTime();
                    Pending<T, R> next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                busy = batch.size() > 1;
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

    private void runGrouped(List<Pending<T, R>> batch) {
        long now = System.nanoTime();
        Map<Object, List<Pending<T, R>>> groups = new LinkedHashMap<>();
        for (Pending<T, R> pending : live(batch, now)) {
            groups.computeIfAbsent(groupKey.apply(pending.item()), key -> new ArrayList<>()).add(pending);
        }
        for (List<Pending<T, R>> group : groups.values()) {
            group.sort(Comparator.comparingInt(Pending::length));
            int start = 0;
            while (start < group.size()) {
                int end = lengthGroupEnd(group, start);
                // Checked again per part: earlier parts of the same gathering may have computed for a while.
                List<Pending<T, R>> part = live(group.subList(start, end), System.nanoTime());
                if (!part.isEmpty()) {
                    run(part, now);
                }
                start = end;
            }
        }
    }

    /** The items whose deadline has not passed at {@code now}; the others are dropped (never computed). */
    private List<Pending<T, R>> live(List<Pending<T, R>> items, long now) {
        List<Pending<T, R>> live = new ArrayList<>(items.size());
        for (Pending<T, R> pending : items) {
            if (now > pending.deadlineNanos()) {
                observer.droppedPastDeadline();
                pending.result().completeExceptionally(new DeadlineExceededException(
                        Duration.ofNanos(now - pending.enqueuedNanos()).toMillis()));
            } else {
                live.add(pending);
            }
        }
        return live;
    }

    /** Extends the part (sorted by length) while padding stays within the allowed share of its tokens. */
    private int lengthGroupEnd(List<Pending<T, R>> sorted, int start) {
        long real = 0;
        int end = start;
        while (end < sorted.size()) {
            int longest = sorted.get(end).length();
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

    private void run(List<Pending<T, R>> part, long dequeuedNanos) {
        List<T> items = part.stream().map(Pending::item).toList();
        long started = System.nanoTime();
        List<R> results;
        try {
            results = runBatch.apply(items);
        } catch (RuntimeException | Error e) {
            // One failing part must not take the other groups of the same gathering down with it.
            failAll(part, e);
            return;
        }
        long computeNanos = System.nanoTime() - started;
        observer.batch(part.size(), part.get(part.size() - 1).length(), computeNanos);
        for (int i = 0; i < part.size(); i++) {
            Pending<T, R> pending = part.get(i);
            pending.result().complete(new Batched<>(results.get(i), dequeuedNanos - pending.enqueuedNanos(),
                    computeNanos, part.size()));
        }
    }

    private static <T, R> void failAll(List<Pending<T, R>> batch, Throwable failure) {
        for (Pending<T, R> pending : batch) {
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
        Pending<T, R> left;
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

    private record Pending<T, R>(T item, int length, long deadlineNanos, long enqueuedNanos,
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
