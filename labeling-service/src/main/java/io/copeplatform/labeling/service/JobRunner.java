package io.copeplatform.labeling.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.Answer;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.IterationPhase;
import io.copeplatform.labeling.domain.Job;
import io.copeplatform.labeling.domain.JobState;
import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.PauseReason;
import io.copeplatform.labeling.domain.PolicySnapshot;
import io.copeplatform.labeling.domain.ReviewFinding;
import io.copeplatform.labeling.repository.DatasetRepository;
import io.copeplatform.labeling.repository.JobRepository;
import io.copeplatform.labeling.repository.LabelRepository;
import io.copeplatform.labeling.repository.LeaseFence;
import io.copeplatform.labeling.repository.LeaseFence.LeaseLostException;
import io.copeplatform.labeling.repository.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Runs binocular jobs. Everything it needs to continue is in the database, so a restart simply picks jobs up again: a
 * scheduler looks for runnable jobs (PENDING, RUNNING, and WAITING_FOR_REVIEW whose reviews are all in) and advances
 * each on its own thread through the iteration phases PARAPHRASING -> LABELING -> REVIEWING -> REFINING -> COMPLETED.
 * Labeling skips every (item, side) already stored, and the primary key of labels refuses a second one, so an item is
 * never labeled twice for the same wording.
 * <p>
 * Several instances may run: a job is leased to the instance that runs it ({@code lease_owner}, {@code lease_until}),
 * claimed with {@code FOR UPDATE SKIP LOCKED}, renewed by a heartbeat while it runs and released when it waits or ends;
 * another instance takes it over only after the lease expired (its holder crashed or hung). An instance whose renewal
 * finds the lease gone stops working on that job at once.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    private static final long USAGE_FLUSH_MILLIS = 200;

    private final Transactions tx;
    private final JobRepository jobs;
    private final LabelRepository labels;
    private final DatasetRepository datasets;
    private final LabelerFactory labelers;
    private final PolicyRegistry registry;
    private final PolicyRewriter rewriter;
    private final ReviewTaskPublisher reviewTasks;
    private final LabelingConfig config;
    private final EvaluationRunner evaluations;
    private final Clock clock = Clock.systemUTC();

    private final Map<String, Future<?>> active = new ConcurrentHashMap<>();
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    /** Items labeled per job since this instance started its current labeling phase (for the ETA). */
    private final Map<String, Rate> rates = new ConcurrentHashMap<>();
    private volatile ExecutorService jobThreads;
    private volatile ScheduledExecutorService scheduler;
    private final String instanceId;

    public JobRunner(Transactions tx, JobRepository jobs, LabelRepository labels, DatasetRepository datasets,
            LabelerFactory labelers, PolicyRegistry registry, PolicyRewriter rewriter,
            ReviewTaskPublisher reviewTasks, LabelingConfig config, EvaluationRunner evaluations) {
        this.tx = tx;
        this.jobs = jobs;
        this.labels = labels;
        this.datasets = datasets;
        this.labelers = labelers;
        this.registry = registry;
        this.rewriter = rewriter;
        this.reviewTasks = reviewTasks;
        this.config = config;
        this.evaluations = evaluations;
        this.instanceId = config.jobs().instanceId().filter(s -> !s.isBlank())
                .or(() -> java.util.Optional.ofNullable(System.getenv("HOSTNAME")).filter(s -> !s.isBlank()))
                .orElseGet(() -> "labeling-" + java.util.UUID.randomUUID());
    }

    /** This instance's name as a job lease owner. */
    public String instanceId() {
        return instanceId;
    }

    /** Labeling throughput of a running phase. */
    record Rate(Instant since, AtomicLong labeled) {
    }

    void onStart(@Observes StartupEvent event) {
        if (config.jobs().enabled()) {
            start();
        } else {
            LOG.info("Job runner disabled (labeling.jobs.enabled=false)");
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    /**
     * A graceful stop: like {@link #stop()}, then the leases of the work that was running here are released, so other
     * replicas take it over at once instead of after lease-duration (a crash leaves them to expire).
     */
    public void shutdown() {
        List<String> jobsHeld = List.copyOf(active.keySet());
        List<String> evaluationsHeld = evaluations.activeIds();
        stop();
        try {
            tx.inTransaction(c -> {
                for (String id : jobsHeld) {
                    jobs.leases().release(c, id, instanceId);
                }
                return null;
            });
            evaluations.releaseLeases(evaluationsHeld, instanceId);
        } catch (RuntimeException e) {
            LOG.warnf("Could not release the leases on the way out (they expire): %s", e.toString());
        }
    }

    /** Starts the scheduler (also after {@link #stop()}: what a restarted instance does). */
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        jobThreads = Executors.newCachedThreadPool(named("binocular-job"));
        scheduler = Executors.newSingleThreadScheduledExecutor(named("job-scheduler"));
        long every = config.jobs().schedulerInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::schedule, 0, every, TimeUnit.MILLISECONDS);
        long renew = config.jobs().leaseRenewInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::renewLeases, renew, renew, TimeUnit.MILLISECONDS);
        LOG.infof("Job runner started as lease owner %s", instanceId);
    }

    /** Stops everything now, like a crash would: in-flight work is abandoned, nothing is written on the way out. */
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        jobThreads.shutdownNow();
        try {
            jobThreads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler = null;
        jobThreads = null;
        active.clear();
        rates.clear();
    }

    /** Asks a running job to stop at once (its state is already CANCELLED in the database). */
    void cancel(String jobId) {
        cancelled.add(jobId);
    }

    /** Wakes the scheduler (e.g. a job was created or resumed). */
    void wake() {
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            try {
                s.execute(this::schedule);
            } catch (RuntimeException e) {
                // shutting down
            }
        }
    }

    /** Whether this instance is working on the job (or evaluation) now. */
    public boolean isActive(String jobId) {
        return active.containsKey(jobId) || evaluations.isActive(jobId);
    }

    Rate rate(String jobId) {
        return rates.get(jobId);
    }

    private void schedule() {
        try {
            List<String> runnable = tx.inTransaction(c -> {
                List<String> ids = new ArrayList<>(jobs.idsInStates(c, List.of(JobState.PENDING, JobState.RUNNING)));
                for (String id : jobs.idsInStates(c, List.of(JobState.WAITING_FOR_REVIEW))) {
                    Job job = jobs.find(c, id).orElseThrow().job();
                    if (labels.counts(c, id, job.currentIteration()).reviewPending() == 0) {
                        ids.add(id);
                    }
                }
                return ids;
            });
            ExecutorService threads = jobThreads;
            List<String> candidates = runnable.stream().filter(id -> !active.containsKey(id)).toList();
            List<String> claimed = threads == null || candidates.isEmpty()
                    ? List.of()
                    : tx.inTransaction(
                            c -> jobs.leases().claim(c, candidates, instanceId, config.jobs().leaseDuration()));
            for (String id : claimed) {
                cancelled.remove(id);
                // A placeholder first: the work may end before submit() returns, and must not leave an entry behind.
                active.put(id, new java.util.concurrent.CompletableFuture<Void>());
                Future<?> work = threads.submit(() -> {
                    try {
                        advance(id);
                    } finally {
                        active.remove(id);
                        release(id);
                    }
                });
                active.computeIfPresent(id, (k, placeholder) -> work);
            }
            evaluations.schedule(threads, instanceId, config.jobs().leaseDuration());
        } catch (RuntimeException e) {
            LOG.warnf("Job scheduling failed, will retry: %s", e.toString());
        }
    }

    /**
     * Heartbeat: extends the leases of the jobs (and evaluations) running here; one whose lease was lost is stopped
     * here at once.
     */
    private void renewLeases() {
        try {
            evaluations.renewLeases(instanceId, config.jobs().leaseDuration());
        } catch (RuntimeException e) {
            LOG.warnf("Could not renew evaluation leases: %s", e.toString());
        }
        List<String> running = List.copyOf(active.keySet());
        if (running.isEmpty()) {
            return;
        }
        try {
            List<String> held = tx.inTransaction(c -> jobs.leases().renew(c, running, instanceId,
                    config.jobs().leaseDuration()));
            for (String id : running) {
                if (!held.contains(id)) {
                    LOG.warnf("Job %s: lease lost to another instance; stopping it here", id);
                    cancelled.add(id);
                    Future<?> work = active.get(id);
                    if (work != null) {
                        work.cancel(true);
                    }
                }
            }
        } catch (RuntimeException e) {
            // The database is unreachable: leases run out and other instances may take over, as they should.
            LOG.warnf("Could not renew job leases: %s", e.toString());
        }
    }

    private void release(String jobId) {
        if (Thread.currentThread().isInterrupted() || scheduler == null) {
            // Stopped (a crash, as far as the lease is concerned) or lost: the lease expires by itself.
            return;
        }
        try {
            tx.inTransaction(c -> {
                jobs.leases().release(c, jobId, instanceId);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not release the lease of job %s (it expires): %s", jobId, e.toString());
        }
    }

    /** Moves a job forward until it must wait (review, budget), ends, or this instance stops. */
    void advance(String jobId) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Job job = tx.inTransaction(c -> jobs.find(c, jobId)).orElseThrow().job();
                if (job.state().terminal() || job.state() == JobState.PAUSED || cancelled.contains(jobId)) {
                    return;
                }
                if (job.state() != JobState.RUNNING) {
                    setState(jobId, JobState.RUNNING, null);
                }
                if (job.currentIteration() == 0) {
                    startIteration(job, 1, registry.resolve(job.spec().policyARef()));
                    continue;
                }
                JobRepository.IterationRow it = iteration(jobId, job.currentIteration());
                switch (it.phase()) {
                    case PARAPHRASING :
                        paraphrase(job, it);
                        break;
                    case LABELING :
                        if (!label(job, it)) {
                            return;
                        }
                        break;
                    case REVIEWING :
                        if (tx.inTransaction(c -> labels.counts(c, jobId, it.iteration())).reviewPending() > 0) {
                            setState(jobId, JobState.WAITING_FOR_REVIEW, null);
                            return;
                        }
                        holding(jobId, c -> {
                            jobs.setPhase(c, jobId, it.iteration(), IterationPhase.REFINING, clock.instant());
                            return null;
                        });
                        break;
                    case REFINING :
                        refine(job, it);
                        break;
                    default :
                        // COMPLETED: the job ended, or stopped between completing an iteration and starting the next.
                        if (!continueAfter(job, it, it.refined())) {
                            return;
                        }
                        break;
                }
            }
        } catch (LeaseLostException e) {
            LOG.warnf("Job %s: lease lost to another instance before a write; stopping it here", jobId);
            cancelled.add(jobId);
        } catch (LabelingException e) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (JobRunnerOutages.isTransient(e)) {
                // The registry is unreachable: the job stays where it is and the scheduler tries again.
                LOG.warnf("Job %s waits for the registry: %s", jobId, e.getMessage());
                return;
            }
            fail(jobId, failureReason(e), e.getMessage());
        } catch (Transactions.StorageException e) {
            // The database is unreachable: nothing can be recorded, the scheduler tries again.
            LOG.warnf("Job %s waits for the database: %s", jobId, e.getMessage());
        } catch (RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) {
                LOG.errorf(e, "Job %s failed", jobId);
                fail(jobId, "INTERNAL", e.toString());
            }
        }
    }

    private static String failureReason(LabelingException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith("LLM_UNAVAILABLE")) {
            return "LLM_UNAVAILABLE";
        }
        return e.reason().name();
    }

    private void startIteration(Job job, int n, PolicySnapshot a) {
        PolicySnapshot b = null;
        if (job.spec().policyBRef() != null && n == 1) {
            b = registry.resolve(job.spec().policyBRef());
        }
        PolicySnapshot wordingB = b;
        // The draft the refine step may later replace, as it is now: A itself when A is a draft (its etag is the
        // job's own last write from iteration 2 on), else the policy's draft if it holds A's text.
        String draftEtag = !a.draftEtag().isEmpty() ? a.draftEtag() : registry.draftEtagIfText(a.policy(), a.sha256());
        holding(job.id(), c -> {
            long items = datasets.countItems(c, job.spec().datasetId());
            jobs.insertIteration(c, job.id(), n, wordingB == null
                    ? IterationPhase.PARAPHRASING
                    : IterationPhase.LABELING, a, wordingB, draftEtag, items, clock.instant());
            return null;
        });
    }

    private void paraphrase(Job job, JobRepository.IterationRow it) {
        JobUsage usage = new JobUsage(job.usage(), job.spec().budget());
        if (usage.exhausted() != null) {
            pause(job.id(), usage.exhausted()); // the paraphrase is an LLM call like any other
            return;
        }
        var options = job.spec().paraphrase();
        String text = rewriter.paraphrase(options != null && options.llm() != null
                ? options.llm()
                : job.spec().refiner(), it.a().text(), options == null ? "" : options.instructions(), usage);
        String policyA = it.a().policy();
        String aId = policyA.substring("policies/".length());
        String target = options != null && options.targetPolicyId() != null && !options.targetPolicyId().isBlank()
                ? options.targetPolicyId()
                : config.jobs().paraphrasePolicyPrefix() + aId;
        // A draft has no version name yet: the paraphrase is linked to the version the draft refines.
        String paraphraseOf = !it.a().version().isEmpty() ? it.a().version() : baseVersionOf(policyA);
        PolicySnapshot b = registry.publishParaphrase(target, "Paraphrase of " + aId, text, paraphraseOf,
                job.id() + "-iteration-" + it.iteration() + "-paraphrase");
        holding(job.id(), c -> {
            jobs.setPolicyB(c, job.id(), it.iteration(), b);
            jobs.recordUsage(c, job.id(), usage.snapshot());
            return null;
        });
    }

    private String baseVersionOf(String policy) {
        try {
            return registry.resolve(policy + "@latest").version();
        } catch (LabelingException e) {
            return "";
        }
    }

    /** The labeling phase; false when the job must stop here (labeled, paused, cancelled, interrupted). */
    private boolean label(Job job, JobRepository.IterationRow it) {
        String jobId = job.id();
        JobUsage usage = new JobUsage(job.usage(), job.spec().budget());
        if (usage.exhausted() != null) {
            pause(jobId, usage.exhausted());
            return false;
        }
        Set<String> done = tx.inTransaction(c -> labels.labeledSides(c, jobId, it.iteration()));
        List<DatasetItem> items = allItems(job.spec().datasetId());
        int concurrency = labelers.concurrency(job.spec().labeler());
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, named("label-" + jobId));
        // Usage goes to the job row on a timer, not with every answer: one hot row updated by every worker would
        // serialise their commits. A crash loses at most one interval of accounting (the labels themselves are safe).
        ScheduledExecutorService usageFlusher = Executors.newSingleThreadScheduledExecutor(named("usage-" + jobId));
        usageFlusher.scheduleWithFixedDelay(() -> flushUsage(jobId, usage), USAGE_FLUSH_MILLIS, USAGE_FLUSH_MILLIS,
                TimeUnit.MILLISECONDS);
        AtomicBoolean stop = new AtomicBoolean();
        Rate rate = new Rate(clock.instant(), new AtomicLong());
        rates.put(jobId, rate);
        List<Future<?>> tasks = new ArrayList<>();
        try (Labeler labeler = labelers.create(job.spec().labeler())) {
            for (DatasetItem item : items) {
                for (char side : new char[]{'A', 'B'}) {
                    if (done.contains(item.id() + "/" + side)) {
                        continue;
                    }
                    String policyText = side == 'A' ? it.a().text() : it.b().text();
                    tasks.add(workers.submit(() -> {
                        if (stop.get() || cancelled.contains(jobId)) {
                            return;
                        }
                        if (usage.exhausted() != null) {
                            stop.set(true);
                            return;
                        }
                        Answer answer = labeler.label(policyText, item.text(), usage);
                        if (Thread.currentThread().isInterrupted()) {
                            return;
                        }
                        tx.autoCommit(c -> labels.insertLabel(c, jobId, it.iteration(), item.id(), side, answer,
                                clock.instant()));
                        rate.labeled().incrementAndGet();
                    }));
                }
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException
                    ? (RuntimeException) e.getCause()
                    : new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
            usageFlusher.shutdownNow();
            rates.remove(jobId);
        }
        flushUsage(jobId, usage);
        if (cancelled.contains(jobId)) {
            return false;
        }
        LabelRepository.Counts counts = tx.inTransaction(c -> labels.counts(c, jobId, it.iteration()));
        if (counts.labelsStored() < 2L * items.size()) {
            // Stopped by the budget before every (item, side) was labeled.
            pause(jobId, usage.exhausted() != null ? usage.exhausted() : PauseReason.CALL_BUDGET);
            return false;
        }
        finishLabeling(job, it, counts);
        // The job now waits for review or has ended: stop here (going round the loop again would show it RUNNING
        // for a moment before it is put back to WAITING_FOR_REVIEW).
        return false;
    }

    private void finishLabeling(Job job, JobRepository.IterationRow it, LabelRepository.Counts counts) {
        String jobId = job.id();
        AgreementStats agreement = agreement(counts);
        if (agreement == null) {
            boolean allFailed = counts.failedItems() > 0 && counts.malformedItems() == 0;
            String unavailable = job.spec().labeler().cope() != null ? "INFERENCE_UNAVAILABLE" : "LLM_UNAVAILABLE";
            fail(jobId, allFailed ? unavailable : "NO_LABELS", allFailed
                    ? "No item could be labeled under both wordings: the labeler failed after all retries"
                    : "No item was labeled under both wordings (malformed or failed answers)");
            return;
        }
        recordDeterminism(job, it, agreement);
        boolean reached = agreement.percentAgreement() >= job.spec().targetAgreement();
        String labeler = labelerDescription(job, it.iteration());
        holding(jobId, c -> {
            // Under the job's lock: a job cancelled meanwhile gets no review tasks (and keeps its state).
            if (jobs.findForUpdate(c, jobId).orElseThrow().job().state() != JobState.RUNNING) {
                return null;
            }
            jobs.setAgreement(c, jobId, it.iteration(), agreement);
            if (reached || counts.mismatches() == 0) {
                jobs.setPhase(c, jobId, it.iteration(), IterationPhase.COMPLETED, clock.instant());
                jobs.finish(c, jobId, JobState.SUCCEEDED, reached, null, null, clock.instant());
                return null;
            }
            ReviewTaskPublisher.IterationSummary summary = new ReviewTaskPublisher.IterationSummary(it.iteration(),
                    counts.labeledBoth(), counts.mismatches(), agreement);
            for (LabelRepository.Mismatch m : labels.mismatches(c, jobId, it.iteration(), job.spec().datasetId())) {
                labels.insertReview(c, jobId, it.iteration(), m.item().id());
                reviewTasks.mismatch(c, jobId, it.iteration(), m.item(), it.a(), m.a(), it.b(), m.b(),
                        Math.max(1, job.spec().reviewOverlap()), labeler, summary);
            }
            jobs.setPhase(c, jobId, it.iteration(), IterationPhase.REVIEWING, clock.instant());
            jobs.setState(c, jobId, JobState.WAITING_FOR_REVIEW, null, clock.instant());
            return null;
        });
        LOG.infof("Job %s iteration %d labeled: agreement %.4f, kappa %s, %d mismatches%s", jobId, it.iteration(),
                agreement.percentAgreement(), agreement.cohensKappa(), counts.mismatches(),
                reached ? " (target reached)" : "");
    }

    static AgreementStats agreement(LabelRepository.Counts counts) {
        return io.copeplatform.labeling.stats.AgreementCalculator.compute(counts.bothPositive(), counts.onlyA(),
                counts.onlyB(), counts.bothNegative());
    }

    /**
     * The labeler as reviewers and the registry see it. For inference-service: the models that actually answered
     * (name@version from the answers, e.g. the test model in a test deployment), never a presumed "CoPE".
     */
    private String labelerDescription(Job job, int iteration) {
        if (job.spec().labeler().cope() == null) {
            return job.spec().labeler().describe(config.llm().model());
        }
        List<String> models = tx.inTransaction(c -> labels.models(c, job.id(), iteration));
        return "inference-service:" + (models.isEmpty() ? "unknown-model" : String.join(",", models));
    }

    /** The determinism score of each published wording, written on the version in the registry. */
    private void recordDeterminism(Job job, JobRepository.IterationRow it, AgreementStats agreement) {
        String labeler = labelerDescription(job, it.iteration());
        String request = job.id() + "-iteration-" + it.iteration() + "-determinism";
        if (!it.a().version().isEmpty()) {
            registry.recordDeterminism(it.a().version(), agreement, job.name(), it.iteration(), it.b().version(),
                    labeler, request + "-a");
        }
        if (!it.b().version().isEmpty()) {
            registry.recordDeterminism(it.b().version(), agreement, job.name(), it.iteration(), it.a().version(),
                    labeler, request + "-b");
        }
    }

    /**
     * Proposes a revision from the findings and saves it as the policy's draft under optimistic concurrency: only over
     * the draft as it was when the iteration started. A draft edited meanwhile (a human's work) is never overwritten:
     * the proposal stays on the iteration and the job pauses (DRAFT_CONFLICT). Resumed after that, the iteration
     * completes without writing, and the next iteration (if any) labels the policy's current draft.
     */
    private void refine(Job job, JobRepository.IterationRow it) {
        String jobId = job.id();
        PolicySnapshot draft = null;
        if (!it.draftConflict()) {
            String proposal = it.proposedText();
            if (proposal == null) {
                JobUsage usage = new JobUsage(job.usage(), job.spec().budget());
                if (usage.exhausted() != null) {
                    pause(jobId, usage.exhausted()); // the refinement is an LLM call like any other
                    return;
                }
                List<ReviewFinding> findings = tx.inTransaction(c -> labels.findings(c, jobId, it.iteration()));
                String revised = rewriter.refine(job.spec().refiner(), it.a().text(), findings, usage);
                holding(jobId, c -> {
                    jobs.setProposal(c, jobId, it.iteration(), revised);
                    jobs.recordUsage(c, jobId, usage.snapshot());
                    return null;
                });
                proposal = revised;
            }
            String policy = it.a().policy();
            String expected = it.draftEtagAtStart() != null
                    ? it.draftEtagAtStart()
                    : registry.draftEtagIfText(policy, it.a().sha256());
            var saved = registry.saveDraft(policy, proposal, "Refined by " + job.name() + " iteration "
                    + it.iteration(), expected);
            if (saved.isEmpty()) {
                LOG.infof("Job %s iteration %d: the draft of %s was edited since the iteration started; the "
                        + "proposal is kept on the iteration, the draft is left as it is", jobId, it.iteration(),
                        policy);
                holding(jobId, c -> {
                    Job current = jobs.findForUpdate(c, jobId).orElseThrow().job();
                    jobs.setDraftConflict(c, jobId, it.iteration());
                    if (current.state() == JobState.RUNNING) {
                        jobs.setState(c, jobId, JobState.PAUSED, PauseReason.DRAFT_CONFLICT, clock.instant());
                    }
                    return null;
                });
                return;
            }
            draft = saved.get();
        }
        PolicySnapshot refined = draft;
        holding(jobId, c -> {
            if (refined != null) {
                jobs.setRefined(c, jobId, it.iteration(), refined);
            }
            jobs.setPhase(c, jobId, it.iteration(), IterationPhase.COMPLETED, clock.instant());
            return null;
        });
        continueAfter(job, it, refined);
    }

    /**
     * After a COMPLETED iteration: starts the next one (on the refined draft, or on the policy's current draft when the
     * proposal was not saved) while iterations are left and the job continues after refining; otherwise the job
     * SUCCEEDS without reaching its target. False when the job is over.
     */
    private boolean continueAfter(Job job, JobRepository.IterationRow it, PolicySnapshot refined) {
        boolean next = job.spec().continueAfterRefine() && it.iteration() < Math.max(1, job.spec().maxIterations());
        if (!next) {
            holding(job.id(), c -> {
                Job current = jobs.findForUpdate(c, job.id()).orElseThrow().job();
                if (!current.state().terminal()) {
                    jobs.finish(c, job.id(), JobState.SUCCEEDED, false, null, null, clock.instant());
                }
                return null;
            });
            return false;
        }
        Job current = tx.inTransaction(c -> jobs.find(c, job.id())).orElseThrow().job();
        // Wording B of the next iteration is a fresh paraphrase of wording A.
        startIteration(current, it.iteration() + 1, refined != null
                ? refined
                : registry.resolve(it.a().policy() + "/draft"));
        return true;
    }

    private List<DatasetItem> allItems(String datasetId) {
        List<DatasetItem> items = new ArrayList<>();
        long after = 0;
        while (true) {
            long cursor = after;
            List<DatasetRepository.Positioned> page = tx.inTransaction(c -> datasets.items(c, datasetId, cursor,
                    5000));
            if (page.isEmpty()) {
                return items;
            }
            page.forEach(p -> items.add(p.item()));
            after = page.get(page.size() - 1).seq();
        }
    }

    private void flushUsage(String jobId, JobUsage usage) {
        try {
            holding(jobId, c -> {
                jobs.recordUsage(c, jobId, usage.snapshot());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not record the usage of job %s (will retry): %s", jobId, e.toString());
        }
    }

    private JobRepository.IterationRow iteration(String jobId, int n) {
        return tx.inTransaction(c -> jobs.iterations(c, jobId)).stream().filter(i -> i.iteration() == n).findFirst()
                .orElseThrow();
    }

    private void setState(String jobId, JobState state, PauseReason pause) {
        holding(jobId, c -> {
            jobs.setState(c, jobId, state, pause, clock.instant());
            return null;
        });
    }

    private void pause(String jobId, PauseReason reason) {
        LOG.infof("Job %s paused: %s", jobId, reason);
        setState(jobId, JobState.PAUSED, reason);
    }

    private void fail(String jobId, String reason, String message) {
        try {
            holding(jobId, c -> {
                Job job = jobs.findForUpdate(c, jobId).orElseThrow().job();
                if (!job.state().terminal()) {
                    jobs.finish(c, jobId, JobState.FAILED, false, reason, message, clock.instant());
                }
                return null;
            });
            LOG.warnf("Job %s failed: %s %s", jobId, reason, message);
        } catch (LeaseLostException e) {
            LOG.warnf("Job %s: lease lost to another instance; not recording its failure here (%s %s)", jobId,
                    reason, message);
        }
    }

    /**
     * Every change this runner makes to a job's state goes through here, fenced by the job's lease
     * ({@link LeaseFence}). Labels need no fence: their primary key refuses a second label for the same (item, side),
     * whoever sends it.
     */
    <T> T holding(String jobId, Transactions.Work<T> work) {
        return jobs.leases().fence(tx, jobId, instanceId).inTransaction(work);
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
