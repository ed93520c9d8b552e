package io.copeplatform.labeling.service;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.Dataset;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.Evaluation;
import io.copeplatform.labeling.domain.EvaluationSpec;
import io.copeplatform.labeling.domain.Ids;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.Page;
import io.copeplatform.labeling.domain.Sha256;
import io.copeplatform.labeling.repository.EvaluationRepository;
import io.copeplatform.labeling.repository.JobRepository;
import io.copeplatform.labeling.repository.Transactions;

/** The evaluation API: create (validated, idempotent), read, list. {@link EvaluationRunner} runs them. */
@ApplicationScoped
public class Evaluations {

    private final Transactions tx;
    private final EvaluationRepository evaluations;
    private final DatasetService datasets;
    private final LabelerFactory labelers;
    private final PolicyRegistry registry;
    private final JobRunner runner;
    private final Clock clock = Clock.systemUTC();

    public Evaluations(Transactions tx, EvaluationRepository evaluations, DatasetService datasets,
            LabelerFactory labelers, PolicyRegistry registry, JobRunner runner) {
        this.tx = tx;
        this.evaluations = evaluations;
        this.datasets = datasets;
        this.labelers = labelers;
        this.registry = registry;
        this.runner = runner;
    }

    public Evaluation create(EvaluationSpec requested, String requestId, String creator) {
        String requestHash = Sha256.hex(JobRepository.json(requested));
        boolean withRequestId = requestId != null && !requestId.isEmpty();
        if (withRequestId) {
            var existing = tx.inTransaction(c -> evaluations.findByRequestId(c, requestId));
            if (existing.isPresent()) {
                if (!requestHash.equals(existing.get().requestHash())) {
                    throw LabelingException.invalid(ErrorReason.REQUEST_ID_REUSED, "request_id",
                            "was used with a different request");
                }
                return existing.get().evaluation();
            }
        }
        String id = requested.id() == null || requested.id().isEmpty()
                ? "eval-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)
                : requested.id();
        Ids.requireSlug(id, "evaluation_id");
        if (requested.policyRef() == null || !BinocularJobs.POLICY_REFERENCE.matcher(requested.policyRef()).matches()
                || requested.policyRef().endsWith("/draft")) {
            throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "evaluation.policy_version",
                    "must be policies/{policy}/versions/{n} or policies/{policy}@live|@latest");
        }
        if (requested.labeler() == null) {
            throw LabelingException.invalid(ErrorReason.INVALID_LABELER_CONFIG, "evaluation.labeler", "is required");
        }
        if (requested.threshold() != null && (requested.threshold() < 0 || requested.threshold() > 1)
                || requested.thresholds().stream().anyMatch(t -> t < 0 || t > 1)) {
            throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "evaluation.threshold",
                    "thresholds must be in [0, 1]");
        }
        Dataset dataset = datasets.get(requested.datasetId());
        if (dataset.itemCount() == 0) {
            throw new LabelingException(ErrorReason.DATASET_EMPTY, "Dataset " + dataset.id() + " has no items",
                    Map.of("dataset", dataset.id()), List.of());
        }
        if (dataset.labeledItemCount() == 0) {
            throw new LabelingException(ErrorReason.DATASET_HAS_NO_GOLD_LABELS, "Dataset " + dataset.id()
                    + " has no items with an expected label", Map.of("dataset", dataset.id()), List.of());
        }
        labelers.validate(requested.labeler());
        registry.resolve(requested.policyRef());
        EvaluationSpec spec = new EvaluationSpec(id, requested.displayName() == null
                || requested.displayName().isBlank() ? id : requested.displayName(), requested.policyRef(),
                requested.datasetId(), requested.labeler(), requested.threshold(),
                requested.thresholds().isEmpty()
                        ? List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
                        : requested.thresholds(),
                requested.budget());
        boolean inserted = tx.inTransaction(c -> evaluations.insert(c, spec, BinocularJobs.policyOf(
                spec.policyRef()), creator, withRequestId ? requestId : null, requestHash, clock.instant()));
        if (!inserted) {
            throw new LabelingException(ErrorReason.EVALUATION_ALREADY_EXISTS, "Evaluation " + id + " already exists",
                    Map.of("evaluation", id), List.of());
        }
        runner.wake();
        return get(id);
    }

    public Evaluation get(String id) {
        return tx.inTransaction(c -> evaluations.find(c, id)).orElseThrow(() -> new LabelingException(
                ErrorReason.EVALUATION_NOT_FOUND, "No evaluation " + id, Map.of("evaluation", id), List.of()))
                .evaluation();
    }

    public Page<Evaluation> list(int pageSize, String pageToken, String policy) {
        String scope = "evaluations/" + policy;
        long before = pageToken == null || pageToken.isEmpty()
                ? Long.MAX_VALUE
                : PageTokens.decodeLong(pageToken, scope);
        int size = datasets.pageSize(pageSize);
        List<EvaluationRepository.Stored> page = tx.inTransaction(c -> evaluations.list(c, before, policy,
                size + 1));
        return new Page<>(page.stream().limit(size).map(EvaluationRepository.Stored::evaluation).toList(),
                page.size() > size ? PageTokens.encode(scope, String.valueOf(page.get(size - 1).seq())) : "");
    }
}
