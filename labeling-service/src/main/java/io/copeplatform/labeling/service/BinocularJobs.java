package io.copeplatform.labeling.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.BinocularLabel;
import io.copeplatform.labeling.domain.Budget;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.Ids;
import io.copeplatform.labeling.domain.Iteration;
import io.copeplatform.labeling.domain.IterationPhase;
import io.copeplatform.labeling.domain.Job;
import io.copeplatform.labeling.domain.JobProgress;
import io.copeplatform.labeling.domain.JobSpec;
import io.copeplatform.labeling.domain.JobState;
import io.copeplatform.labeling.domain.JobView;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.Page;
import io.copeplatform.labeling.domain.Sha256;
import io.copeplatform.labeling.domain.Usage;
import io.copeplatform.labeling.repository.DatasetRepository;
import io.copeplatform.labeling.repository.JobRepository;
import io.copeplatform.labeling.repository.LabelRepository;
import io.copeplatform.labeling.repository.Transactions;

/** The binocular job API: create (validated, idempotent), read, list, cancel, resume, labels. */
@ApplicationScoped
public class BinocularJobs {

    /** `policies/{p}/versions/{n}`, `policies/{p}@live|@latest`, `policies/{p}/draft`. */
    static final Pattern POLICY_REFERENCE = Pattern.compile(
            "policies/[a-z][a-z0-9-]{0,62}(/versions/[1-9][0-9]{0,17}|@live|@latest|/draft)");

    private final Transactions tx;
    private final JobRepository jobs;
    private final LabelRepository labels;
    private final DatasetRepository datasets;
    private final LabelerFactory labelers;
    private final PolicyRegistry registry;
    private final JobRunner runner;
    private final DatasetService datasetService;
    private final ReviewTaskPublisher reviewTasks;
    private final Clock clock = Clock.systemUTC();

    public BinocularJobs(Transactions tx, JobRepository jobs, LabelRepository labels, DatasetRepository datasets,
            LabelerFactory labelers, PolicyRegistry registry, JobRunner runner, DatasetService datasetService,
            ReviewTaskPublisher reviewTasks) {
        this.tx = tx;
        this.jobs = jobs;
        this.labels = labels;
        this.datasets = datasets;
        this.labelers = labelers;
        this.registry = registry;
        this.runner = runner;
        this.datasetService = datasetService;
        this.reviewTasks = reviewTasks;
    }

    /**
     * Validates and stores a job (PENDING); the runner starts it. {@code spec.id()} blank: a generated id. A retry with
     * the same {@code requestId} returns the first job.
     */
    public JobView create(JobSpec requested, String requestId, String creator) {
        String requestHash = Sha256.hex(JobRepository.json(requested));
        if (requestId != null && !requestId.isEmpty()) {
            var existing = tx.inTransaction(c -> jobs.findByRequestId(c, requestId));
            if (existing.isPresent()) {
                if (!requestHash.equals(existing.get().requestHash())) {
                    throw LabelingException.invalid(ErrorReason.REQUEST_ID_REUSED, "request_id",
                            "was used with a different request");
                }
                return get(existing.get().job().id());
            }
        }
        String id = requested.id() == null || requested.id().isEmpty()
                ? "job-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                : requested.id();
        Ids.requireSlug(id, "binocular_job_id");
        validate(requested);
        String datasetId = requested.datasetId();
        if (datasetService.get(datasetId).itemCount() == 0) {
            throw new LabelingException(ErrorReason.DATASET_EMPTY, "Dataset " + datasetId + " has no items",
                    Map.of("dataset", datasetId), List.of());
        }
        labelers.validate(requested.labeler());
        // Fail fast on a wording that does not exist; the text is snapshotted when the job starts.
        registry.resolve(requested.policyARef());
        if (requested.policyBRef() != null) {
            registry.resolve(requested.policyBRef());
        }
        JobSpec spec = new JobSpec(id, requested.displayName() == null || requested.displayName().isBlank()
                ? id
                : requested.displayName(), datasetId, requested.policyARef(), requested.policyBRef(),
                requested.paraphrase(), requested.labeler(), requested.refiner(), requested.targetAgreement(),
                Math.max(1, requested.maxIterations()), requested.budget(), Math.max(1, requested.reviewOverlap()),
                requested.continueAfterRefine());
        String policyA = policyOf(spec.policyARef());
        boolean inserted = tx.inTransaction(c -> jobs.insert(c, spec, creator,
                requestId == null || requestId.isEmpty() ? null : requestId, requestHash, policyA, clock.instant()));
        if (!inserted) {
            var byRequest = requestId == null || requestId.isEmpty()
                    ? null
                    : tx.inTransaction(c -> jobs.findByRequestId(c, requestId)).orElse(null);
            if (byRequest != null && requestHash.equals(byRequest.requestHash())) {
                return get(byRequest.job().id());
            }
            throw new LabelingException(ErrorReason.JOB_ALREADY_EXISTS, "Job " + id + " already exists",
                    Map.of("job", id), List.of());
        }
        runner.wake();
        return get(id);
    }

    private void validate(JobSpec spec) {
        List<io.copeplatform.labeling.domain.FieldViolation> violations = new ArrayList<>();
        if (!(spec.targetAgreement() > 0 && spec.targetAgreement() <= 1)) {
            throw LabelingException.invalid(ErrorReason.INVALID_TARGET_AGREEMENT, "binocular_job.target_agreement",
                    "must be in (0, 1], got " + spec.targetAgreement());
        }
        if (spec.policyARef() == null || !POLICY_REFERENCE.matcher(spec.policyARef()).matches()) {
            throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "binocular_job.policy_version_a",
                    "must be policies/{policy}/versions/{n}, policies/{policy}@live|@latest or policies/{policy}/draft");
        }
        if (spec.policyBRef() != null && !POLICY_REFERENCE.matcher(spec.policyBRef()).matches()) {
            throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "binocular_job.policy_version_b",
                    "must be policies/{policy}/versions/{n}, policies/{policy}@live|@latest or policies/{policy}/draft");
        }
        if (spec.policyBRef() == null && spec.paraphrase() == null) {
            violations.add(new io.copeplatform.labeling.domain.FieldViolation("binocular_job.policy_b",
                    "one of policy_version_b and generate_paraphrase is required"));
        }
        if (spec.paraphrase() != null && spec.paraphrase().targetPolicyId() != null
                && !spec.paraphrase().targetPolicyId().isEmpty()) {
            Ids.requireSlug(spec.paraphrase().targetPolicyId(), "binocular_job.generate_paraphrase.target_policy_id");
        }
        if (spec.maxIterations() < 0) {
            violations.add(new io.copeplatform.labeling.domain.FieldViolation("binocular_job.max_iterations",
                    "must not be negative"));
        }
        if (spec.reviewOverlap() < 0) {
            violations.add(new io.copeplatform.labeling.domain.FieldViolation("binocular_job.review_overlap",
                    "must not be negative"));
        }
        if (spec.budget().maxCalls() < 0 || spec.budget().maxTokens() < 0) {
            violations.add(new io.copeplatform.labeling.domain.FieldViolation("binocular_job.budget",
                    "limits must not be negative"));
        }
        if (spec.labeler() == null) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "binocular_job.labeler",
                    "is required");
        }
        if (!violations.isEmpty()) {
            throw new LabelingException(ErrorReason.INVALID_ARGUMENT, "Invalid binocular job: "
                    + violations.get(0).field() + " " + violations.get(0).description(), Map.of(), violations);
        }
    }

    static String policyOf(String reference) {
        int end = reference.indexOf('@');
        if (end < 0) {
            end = reference.indexOf('/', "policies/".length());
        }
        return end < 0 ? reference : reference.substring(0, end);
    }

    public JobView get(String id) {
        return tx.inTransaction(c -> {
            JobRepository.Stored stored = jobs.find(c, id).orElseThrow(() -> notFound(id));
            return view(c, stored.job());
        });
    }

    public Page<Job> list(int pageSize, String pageToken, JobState state, String datasetId, String policy) {
        String scope = "jobs/" + state + "/" + datasetId + "/" + policy;
        long before = pageToken == null || pageToken.isEmpty()
                ? Long.MAX_VALUE
                : PageTokens.decodeLong(pageToken, scope);
        int size = datasetService.pageSize(pageSize);
        List<JobRepository.Stored> page = tx.inTransaction(c -> jobs.list(c, before,
                state == null ? null : state.name(), datasetId, policy, size + 1));
        List<Job> items = page.stream().limit(size).map(JobRepository.Stored::job).toList();
        return new Page<>(items, page.size() > size
                ? PageTokens.encode(scope, String.valueOf(page.get(size - 1)
                        .seq()))
                : "");
    }

    public JobView cancel(String id, String reason) {
        tx.inTransaction(c -> {
            Job job = jobs.findForUpdate(c, id).orElseThrow(() -> notFound(id)).job();
            if (job.state().terminal()) {
                throw new LabelingException(ErrorReason.JOB_NOT_CANCELLABLE, "Job " + id + " is already "
                        + job.state(), Map.of("job", id, "state", job.state().name()), List.of());
            }
            jobs.finish(c, id, JobState.CANCELLED, false, null, reason == null ? "" : reason, clock.instant());
            if (labels.pendingReviews(c, id) > 0) {
                // Open review tasks are withdrawn with the cancellation (same transaction, through the outbox).
                reviewTasks.withdraw(c, id, 0, reason == null || reason.isBlank() ? "job cancelled" : reason);
            }
            return null;
        });
        runner.cancel(id);
        return get(id);
    }

    /** Resumes a PAUSED job, with a new budget when given. */
    public JobView resume(String id, Budget newBudget) {
        tx.inTransaction(c -> {
            Job job = jobs.findForUpdate(c, id).orElseThrow(() -> notFound(id)).job();
            if (job.state() != JobState.PAUSED) {
                throw new LabelingException(ErrorReason.JOB_NOT_PAUSED, "Job " + id + " is " + job.state()
                        + ", not PAUSED", Map.of("job", id, "state", job.state().name()), List.of());
            }
            Budget budget = newBudget != null ? newBudget : job.spec().budget();
            if (budget.exhaustedBy(job.usage()) != null) {
                throw new LabelingException(ErrorReason.BUDGET_EXHAUSTED, "The budget of job " + id
                        + " is still exhausted (" + budget.exhaustedBy(job.usage()) + "); resume with a larger budget",
                        Map.of("job", id), List.of());
            }
            if (newBudget != null) {
                jobs.setBudget(c, id, job.spec(), newBudget);
            }
            jobs.setState(c, id, JobState.RUNNING, null, clock.instant());
            return null;
        });
        runner.wake();
        return get(id);
    }

    /** Labels of one iteration (0 = all iterations). */
    public Page<BinocularLabel> labels(String jobId, int iteration, boolean mismatchesOnly, int pageSize,
            String pageToken) {
        String scope = "labels/" + jobId + "/" + iteration + "/" + mismatchesOnly;
        String cursor = PageTokens.decode(pageToken, scope, "0:0");
        int afterIteration;
        long afterSeq;
        try {
            afterIteration = Integer.parseInt(cursor.substring(0, cursor.indexOf(':')));
            afterSeq = Long.parseLong(cursor.substring(cursor.indexOf(':') + 1));
        } catch (RuntimeException e) {
            throw LabelingException.invalid(ErrorReason.INVALID_PAGE_TOKEN, "page_token", "was not issued here");
        }
        int size = pageSize <= 0 ? 100 : Math.min(pageSize, 1000);
        List<LabelRepository.Positioned> page = tx.inTransaction(c -> {
            Job job = jobs.find(c, jobId).orElseThrow(() -> notFound(jobId)).job();
            return labels.labels(c, jobId, iteration, mismatchesOnly, afterIteration, afterSeq, size + 1,
                    job.spec().datasetId());
        });
        List<BinocularLabel> items = page.stream().limit(size).map(LabelRepository.Positioned::label).toList();
        String next = page.size() > size
                ? PageTokens.encode(scope, page.get(size - 1).iteration() + ":"
                        + page.get(size - 1).seq())
                : "";
        return new Page<>(items, next);
    }

    /** The current progress (what WatchBinocularJob streams). */
    public JobProgress progress(String id) {
        return get(id).progress();
    }

    private JobView view(java.sql.Connection c, Job job) throws java.sql.SQLException {
        List<Iteration> iterations = new ArrayList<>();
        Iteration current = null;
        for (JobRepository.IterationRow row : jobs.iterations(c, job.id())) {
            LabelRepository.Counts counts = labels.counts(c, job.id(), row.iteration());
            AgreementStats live = JobRunner.agreement(counts);
            Iteration it = new Iteration(job.id(), row.iteration(), row.phase(), row.a(), row.b(), row.itemCount(),
                    counts.labeledBoth(), counts.mismatches(), counts.reviewed(), counts.malformedItems(),
                    counts.failedItems(), row.iteration() == job.currentIteration() ? job.usage() : Usage.NONE,
                    live, row.refined(), row.startTime(), row.endTime(), row.proposedText(), row.draftConflict());
            iterations.add(it);
            if (row.iteration() == job.currentIteration()) {
                current = it;
            }
        }
        Duration eta = null;
        if (current != null && current.phase() == IterationPhase.LABELING) {
            JobRunner.Rate rate = runner.rate(job.id());
            if (rate != null && rate.labeled().get() > 0) {
                double seconds = Duration.between(rate.since(), clock.instant()).toMillis() / 1000.0;
                long labelsLeft = 2 * current.itemCount() - 2 * current.labeledCount();
                eta = Duration.ofMillis((long) (labelsLeft * seconds * 1000 / rate.labeled().get()));
            }
        }
        JobProgress progress = new JobProgress(job.id(), job.state(), job.pauseReason(), job.currentIteration(),
                current == null ? null : current.phase(), current == null ? 0 : current.itemCount(),
                current == null ? 0 : current.labeledCount(), current == null ? 0 : current.mismatchCount(),
                current == null ? 0 : current.reviewedCount(), current == null ? 0 : current.malformedCount(),
                current == null ? null : current.agreement(), job.usage(), job.spec().budget(), eta,
                job.updateTime());
        return new JobView(job, iterations, progress);
    }

    static LabelingException notFound(String id) {
        return new LabelingException(ErrorReason.JOB_NOT_FOUND, "No binocular job " + id, Map.of("job", id),
                List.of());
    }
}
