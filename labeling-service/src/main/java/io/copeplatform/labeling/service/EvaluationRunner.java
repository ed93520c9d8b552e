package io.copeplatform.labeling.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.Evaluation;
import io.copeplatform.labeling.domain.EvaluationResult;
import io.copeplatform.labeling.domain.JobState;
import io.copeplatform.labeling.domain.LabelOutcome;
import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.repository.DatasetRepository;
import io.copeplatform.labeling.repository.EvaluationRepository;
import io.copeplatform.labeling.repository.LeaseFence;
import io.copeplatform.labeling.repository.LeaseFence.LeaseLostException;
import io.copeplatform.labeling.repository.Transactions;
import io.copeplatform.labeling.stats.BinaryMetrics;

/**
 * Runs evaluations: labels the dataset's gold-labeled items with the labeler under the resolved version (each item
 * once: answers are keyed by item), computes the metrics at the threshold and the sweep, and records F1 on the version
 * in the registry. The budget FAILS an evaluation (BUDGET_EXHAUSTED) rather than pausing it.
 */
@ApplicationScoped
public class EvaluationRunner {

    private static final Logger LOG = Logger.getLogger(EvaluationRunner.class);

    private final Transactions tx;
    private final EvaluationRepository evaluations;
    private final DatasetRepository datasets;
    private final LabelerFactory labelers;
    private final PolicyRegistry registry;
    /** Evaluations running here, each leased to this instance (see JobRunner). */
    private final Map<String, Future<?>> active = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    public EvaluationRunner(Transactions tx, EvaluationRepository evaluations, DatasetRepository datasets,
            LabelerFactory labelers, PolicyRegistry registry) {
        this.tx = tx;
        this.evaluations = evaluations;
        this.datasets = datasets;
        this.labelers = labelers;
        this.registry = registry;
    }

    /** Starts the runnable evaluations this instance can lease (as {@code owner}). */
    void schedule(ExecutorService threads, String owner, Duration lease) {
        if (threads == null) {
            return;
        }
        List<String> candidates = tx.inTransaction(c -> evaluations.idsInStates(c, List.of(JobState.PENDING,
                JobState.RUNNING))).stream().filter(id -> !active.containsKey(id)).toList();
        if (candidates.isEmpty()) {
            return;
        }
        for (String id : tx.inTransaction(c -> evaluations.leases().claim(c, candidates, owner, lease))) {
            CompletableFuture<Void> started = new CompletableFuture<>();
            active.put(id, started);
            Future<?> work = threads.submit(() -> {
                try {
                    run(id, evaluations.leases().fence(tx, id, owner));
                } finally {
                    active.remove(id);
                    if (!Thread.currentThread().isInterrupted()) {
                        release(id, owner);
                    }
                }
            });
            active.computeIfPresent(id, (k, v) -> work);
        }
    }

    /** Heartbeat: extends the leases of the evaluations running here; one whose lease was lost is stopped. */
    void renewLeases(String owner, Duration lease) {
        List<String> running = List.copyOf(active.keySet());
        if (running.isEmpty()) {
            return;
        }
        List<String> held = tx.inTransaction(c -> evaluations.leases().renew(c, running, owner, lease));
        for (String id : running) {
            if (!held.contains(id)) {
                LOG.warnf("Evaluation %s: lease lost to another instance; stopping it here", id);
                Future<?> work = active.get(id);
                if (work != null) {
                    work.cancel(true);
                }
            }
        }
    }

    /** The evaluations running here now. */
    List<String> activeIds() {
        return List.copyOf(active.keySet());
    }

    /** Releases this instance's leases on {@code ids} (after they were stopped). */
    void releaseLeases(List<String> ids, String owner) {
        ids.forEach(id -> release(id, owner));
    }

    /** Whether this instance is running the evaluation now. */
    boolean isActive(String id) {
        return active.containsKey(id);
    }

    private void release(String id, String owner) {
        try {
            tx.inTransaction(c -> {
                evaluations.leases().release(c, id, owner);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not release the lease of evaluation %s (it expires): %s", id, e.toString());
        }
    }

    /** Runs evaluation {@code id}; every change to it is written through {@code fence} (its lease). */
    void run(String id, LeaseFence fence) {
        try {
            EvaluationRepository.Stored stored = tx.inTransaction(c -> evaluations.find(c, id)).orElseThrow();
            Evaluation evaluation = stored.evaluation();
            PolicySnapshot policy = stored.policy();
            List<DatasetItem> items = goldItems(evaluation.spec().datasetId());
            if (evaluation.state() == JobState.PENDING) {
                PolicySnapshot resolved = registry.resolve(evaluation.spec().policyRef());
                fence.inTransaction(c -> {
                    evaluations.start(c, id, resolved, items.size(), clock.instant());
                    return null;
                });
                policy = resolved;
            }
            label(evaluation, policy, items, fence);
        } catch (LeaseLostException e) {
            LOG.warnf("Evaluation %s: lease lost to another instance before a write; stopping it here", id);
        } catch (LabelingException e) {
            if (JobRunnerOutages.isTransient(e)) {
                // The registry is unreachable (resolving the policy, or recording the result): the evaluation stays
                // as it is and the scheduler runs it again; labels already stored are not asked for again.
                LOG.warnf("Evaluation %s waits for the registry: %s", id, e.getMessage());
                return;
            }
            if (!Thread.currentThread().isInterrupted()) {
                finish(fence, JobState.FAILED, null, e.reason().name(), e.getMessage());
            }
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) {
                LOG.errorf(e, "Evaluation %s failed", id);
                finish(fence, JobState.FAILED, null, "INTERNAL", e.toString());
            }
        }
    }

    private void label(Evaluation evaluation, PolicySnapshot policy, List<DatasetItem> items, LeaseFence fence) {
        String id = evaluation.spec().id();
        JobUsage usage = new JobUsage(evaluation.usage(), evaluation.spec().budget());
        Map<String, Boolean> done = tx.inTransaction(c -> evaluations.labeledItems(c, id));
        ExecutorService workers = Executors.newFixedThreadPool(labelers.concurrency(evaluation.spec().labeler()));
        AtomicReference<String> budgetHit = new AtomicReference<>();
        List<Future<?>> tasks = new ArrayList<>();
        try (Labeler labeler = labelers.create(evaluation.spec().labeler())) {
            for (DatasetItem item : items) {
                if (done.containsKey(item.id())) {
                    continue;
                }
                tasks.add(workers.submit(() -> {
                    if (usage.exhausted() != null) {
                        budgetHit.set(usage.exhausted().name());
                        return;
                    }
                    Answer answer = labeler.label(policy.text(), item.text(), usage);
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    fence.inTransaction(c -> {
                        evaluations.insertLabel(c, id, item.id(), answer);
                        evaluations.recordUsage(c, id, usage.snapshot(), nullToEmpty(answer.model()),
                                nullToEmpty(answer.modelVersion()));
                        return null;
                    });
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException
                    ? (RuntimeException) e.getCause()
                    : new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
        }
        if (budgetHit.get() != null) {
            finish(fence, JobState.FAILED, null, "BUDGET_EXHAUSTED", "The evaluation's budget was reached ("
                    + budgetHit.get() + ") before every item was labeled");
            return;
        }
        List<EvaluationRepository.ScoredItem> scored = tx.inTransaction(c -> evaluations.scoredItems(c, id,
                evaluation.spec().datasetId()));
        EvaluationResult result = metrics(evaluation, scored);
        if (result.evaluatedCount() == 0) {
            boolean cope = evaluation.spec().labeler().cope() != null;
            finish(fence, JobState.FAILED, null, cope ? "INFERENCE_UNAVAILABLE" : "LLM_UNAVAILABLE",
                    "No item could be labeled");
            return;
        }
        // Recorded before SUCCEEDED is visible, so a client that sees SUCCEEDED also sees registry_recorded.
        recordInRegistry(id, policy, evaluation, result, fence);
        finish(fence, JobState.SUCCEEDED, result, null, null);
    }

    static EvaluationResult metrics(Evaluation evaluation, List<EvaluationRepository.ScoredItem> scored) {
        List<BinaryMetrics.Prediction> predictions = new ArrayList<>();
        long malformed = 0;
        long failed = 0;
        for (EvaluationRepository.ScoredItem s : scored) {
            if (s.outcome() == LabelOutcome.LABELED) {
                predictions.add(new BinaryMetrics.Prediction(s.label(), s.score(), s.gold()));
            } else if (s.outcome() == LabelOutcome.MALFORMED) {
                malformed++;
            } else {
                failed++;
            }
        }
        double threshold = evaluation.spec().threshold() == null ? 0.5 : evaluation.spec().threshold();
        boolean scores = !predictions.isEmpty() && predictions.stream().allMatch(p -> p.score() != null);
        BinaryMetrics headline = BinaryMetrics.at(threshold, predictions, scores);
        List<EvaluationResult.ConfusionCounts> sweep = BinaryMetrics.sweep(evaluation.spec().thresholds(),
                predictions).stream().map(EvaluationRunner::counts).toList();
        return new EvaluationResult(counts(headline), sweep, predictions.size(), malformed, failed);
    }

    static EvaluationResult.ConfusionCounts counts(BinaryMetrics m) {
        return new EvaluationResult.ConfusionCounts(m.threshold(), m.truePositives(), m.falsePositives(),
                m.trueNegatives(), m.falseNegatives());
    }

    private void recordInRegistry(String id, PolicySnapshot policy, Evaluation evaluation, EvaluationResult result,
            LeaseFence fence) {
        EvaluationResult.ConfusionCounts c = result.metrics();
        BinaryMetrics m = BinaryMetrics.of(c.threshold(), c.truePositives(), c.falsePositives(), c.trueNegatives(),
                c.falseNegatives());
        Evaluation current = tx.inTransaction(cn -> evaluations.find(cn, id)).orElseThrow().evaluation();
        try {
            registry.recordEvaluation(policy.version(), m.precision(), m.recall(), m.f1(), m.accuracy(),
                    current.model(), current.modelVersion(), m.threshold(), m.total(), evaluation.name(),
                    "datasets/" + evaluation.spec().datasetId(), id + "-metrics");
            fence.inTransaction(cn -> {
                evaluations.markRecorded(cn, id);
                return null;
            });
        } catch (LabelingException e) {
            if (JobRunnerOutages.isTransient(e)) {
                throw e; // not SUCCEEDED yet: run again once the registry is back
            }
            // The registry refused (e.g. the version is gone): the evaluation itself succeeded; registry_recorded
            // stays false and says so.
            LOG.warnf("Evaluation %s: the registry refused its metrics: %s", id, e.getMessage());
        }
    }

    private List<DatasetItem> goldItems(String datasetId) {
        List<DatasetItem> items = new ArrayList<>();
        long after = 0;
        while (true) {
            long cursor = after;
            List<DatasetRepository.Positioned> page = tx.inTransaction(c -> datasets.items(c, datasetId, cursor,
                    5000));
            if (page.isEmpty()) {
                return items;
            }
            page.stream().map(DatasetRepository.Positioned::item).filter(i -> i.expectedLabel() != null)
                    .forEach(items::add);
            after = page.get(page.size() - 1).seq();
        }
    }

    private void finish(LeaseFence fence, JobState state, EvaluationResult result, String reason, String message) {
        try {
            fence.inTransaction(c -> {
                evaluations.finish(c, fence.id(), state, result, reason, message, clock.instant());
                return null;
            });
        } catch (LeaseLostException e) {
            LOG.warnf("Evaluation %s: lease lost to another instance; not recording its end here (%s)", fence.id(),
                    state);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
