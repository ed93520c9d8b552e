package io.copeplatform.labeling.grpc;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularJobProgress;
import io.copeplatform.api.labeling.v1.CancelBinocularJobRequest;
import io.copeplatform.api.labeling.v1.CancelBinocularJobResponse;
import io.copeplatform.api.labeling.v1.CreateBinocularJobRequest;
import io.copeplatform.api.labeling.v1.CreateBinocularJobResponse;
import io.copeplatform.api.labeling.v1.CreateDatasetRequest;
import io.copeplatform.api.labeling.v1.CreateDatasetResponse;
import io.copeplatform.api.labeling.v1.CreateEvaluationRequest;
import io.copeplatform.api.labeling.v1.CreateEvaluationResponse;
import io.copeplatform.api.labeling.v1.ExportTrainingSetRequest;
import io.copeplatform.api.labeling.v1.ExportTrainingSetResponse;
import io.copeplatform.api.labeling.v1.GetBinocularJobRequest;
import io.copeplatform.api.labeling.v1.GetBinocularJobResponse;
import io.copeplatform.api.labeling.v1.GetDatasetRequest;
import io.copeplatform.api.labeling.v1.GetDatasetResponse;
import io.copeplatform.api.labeling.v1.GetEvaluationRequest;
import io.copeplatform.api.labeling.v1.GetEvaluationResponse;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsRequest;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsResponse;
import io.copeplatform.api.labeling.v1.LabelingService;
import io.copeplatform.api.labeling.v1.ListBinocularJobsRequest;
import io.copeplatform.api.labeling.v1.ListBinocularJobsResponse;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsRequest;
import io.copeplatform.api.labeling.v1.ListBinocularLabelsResponse;
import io.copeplatform.api.labeling.v1.ListDatasetItemsRequest;
import io.copeplatform.api.labeling.v1.ListDatasetItemsResponse;
import io.copeplatform.api.labeling.v1.ListDatasetsRequest;
import io.copeplatform.api.labeling.v1.ListDatasetsResponse;
import io.copeplatform.api.labeling.v1.ListEvaluationsRequest;
import io.copeplatform.api.labeling.v1.ListEvaluationsResponse;
import io.copeplatform.api.labeling.v1.ResumeBinocularJobRequest;
import io.copeplatform.api.labeling.v1.ResumeBinocularJobResponse;
import io.copeplatform.api.labeling.v1.WatchBinocularJobRequest;
import io.copeplatform.api.labeling.v1.WatchBinocularJobResponse;
import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.BinocularLabel;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.Ids;
import io.copeplatform.labeling.domain.Job;
import io.copeplatform.labeling.domain.JobView;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.Page;
import io.copeplatform.labeling.mapping.EvaluationProtos;
import io.copeplatform.labeling.mapping.JobProtos;
import io.copeplatform.labeling.mapping.LabelingProtos;
import io.copeplatform.labeling.service.BinocularJobs;
import io.copeplatform.labeling.service.DatasetService;
import io.copeplatform.labeling.service.Evaluations;
import io.copeplatform.labeling.service.TrainingSets;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * gRPC adapter of {@code cope.labeling.v1.LabelingService}: validates names, maps messages and errors. Work (short JDBC
 * transactions) runs on worker threads; jobs run on their own workers.
 */
@GrpcService
public class LabelingGrpcService implements LabelingService {

    private final DatasetService datasets;
    private final BinocularJobs jobs;
    private final Evaluations evaluations;
    private final TrainingSets trainingSets;
    private final LabelingConfig config;

    public LabelingGrpcService(DatasetService datasets, BinocularJobs jobs, Evaluations evaluations,
            TrainingSets trainingSets, LabelingConfig config) {
        this.datasets = datasets;
        this.jobs = jobs;
        this.evaluations = evaluations;
        this.trainingSets = trainingSets;
        this.config = config;
    }

    @Override
    public Uni<CreateEvaluationResponse> createEvaluation(CreateEvaluationRequest request) {
        String creator = Actors.current();
        return call(() -> {
            if (!request.hasEvaluation()) {
                throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "evaluation", "is required");
            }
            Ids.parse(request.getEvaluation().getDataset(), Ids.DATASETS, "evaluation.dataset");
            return CreateEvaluationResponse.newBuilder().setEvaluation(EvaluationProtos.evaluation(evaluations
                    .create(EvaluationProtos.spec(request.getEvaluationId(), request.getEvaluation()),
                            request.getRequestId(), creator)))
                    .build();
        });
    }

    @Override
    public Uni<GetEvaluationResponse> getEvaluation(GetEvaluationRequest request) {
        return call(() -> GetEvaluationResponse.newBuilder().setEvaluation(EvaluationProtos.evaluation(
                evaluations.get(Ids.parse(request.getName(), Ids.EVALUATIONS, "name")))).build());
    }

    @Override
    public Uni<ListEvaluationsResponse> listEvaluations(ListEvaluationsRequest request) {
        return call(() -> {
            String policy = request.getPolicy().isEmpty() ? null : request.getPolicy();
            if (policy != null && !policy.matches("policies/[a-z][a-z0-9-]{0,62}")) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "policy", "must be policies/{policy}");
            }
            Page<io.copeplatform.labeling.domain.Evaluation> page = evaluations.list(request.getPageSize(),
                    request.getPageToken(), policy);
            var b = ListEvaluationsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.items().forEach(e -> b.addEvaluations(EvaluationProtos.evaluation(e)));
            return b.build();
        });
    }

    /** Rows, then exactly one summary. */
    @Override
    public Multi<ExportTrainingSetResponse> exportTrainingSet(ExportTrainingSetRequest request) {
        // One fetch of rows at a time, read on a worker thread only when the client (gRPC flow control) asks for
        // more; the cursor's connection is released when the stream ends, fails or is cancelled.
        return Multi
                .createFrom().<TrainingSets.Export, ExportTrainingSetResponse>resource(
                        () -> trainingSets.open(request.getOriginsList(),
                                EvaluationProtos.sources(request.getSourcesList()), request.getContradictoryOnly()),
                        export -> Multi.createBy().concatenating().streams(
                                Multi.createBy().repeating()
                                        .uni(() -> Uni.createFrom().item(export::next)
                                                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                                        .until(java.util.List::isEmpty)
                                        .onItem().<io.copeplatform.labeling.domain.TrainingRow>disjoint()
                                        .map(r -> ExportTrainingSetResponse.newBuilder().setRow(EvaluationProtos.row(r))
                                                .build()),
                                Multi.createFrom().item(() -> ExportTrainingSetResponse.newBuilder()
                                        .setSummary(EvaluationProtos.summary(export.summary())).build())))
                .withFinalizer(TrainingSets.Export::close)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcErrors::toGrpc);
    }

    @Override
    public Uni<CreateBinocularJobResponse> createBinocularJob(CreateBinocularJobRequest request) {
        String creator = Actors.current();
        return call(() -> {
            if (!request.hasBinocularJob()) {
                throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "binocular_job", "is required");
            }
            BinocularJob j = request.getBinocularJob();
            if (!j.getDataset().isEmpty()) {
                Ids.parse(j.getDataset(), Ids.DATASETS, "binocular_job.dataset");
            } else {
                throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "binocular_job.dataset", "is required");
            }
            JobView view = jobs.create(JobProtos.spec(request.getBinocularJobId(), j), request.getRequestId(),
                    creator);
            return CreateBinocularJobResponse.newBuilder().setBinocularJob(JobProtos.job(view, true)).build();
        });
    }

    @Override
    public Uni<GetBinocularJobResponse> getBinocularJob(GetBinocularJobRequest request) {
        return call(() -> GetBinocularJobResponse.newBuilder()
                .setBinocularJob(JobProtos.job(jobs.get(Ids.parse(request.getName(), Ids.JOBS, "name")), true))
                .build());
    }

    @Override
    public Uni<ListBinocularJobsResponse> listBinocularJobs(ListBinocularJobsRequest request) {
        return call(() -> {
            String dataset = request.getDataset().isEmpty()
                    ? null
                    : Ids.parse(request.getDataset(), Ids.DATASETS, "dataset");
            String policy = request.getPolicy().isEmpty() ? null : request.getPolicy();
            if (policy != null && !policy.matches("policies/[a-z][a-z0-9-]{0,62}")) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "policy", "must be policies/{policy}");
            }
            Page<Job> page = jobs.list(request.getPageSize(), request.getPageToken(),
                    JobProtos.state(request.getState()), dataset, policy);
            var b = ListBinocularJobsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            for (Job job : page.items()) {
                b.addBinocularJobs(JobProtos.job(jobs.get(job.id()), false));
            }
            return b.build();
        });
    }

    @Override
    public Uni<CancelBinocularJobResponse> cancelBinocularJob(CancelBinocularJobRequest request) {
        return call(() -> CancelBinocularJobResponse.newBuilder()
                .setBinocularJob(JobProtos.job(jobs.cancel(Ids.parse(request.getName(), Ids.JOBS, "name"),
                        request.getReason()), true))
                .build());
    }

    @Override
    public Uni<ResumeBinocularJobResponse> resumeBinocularJob(ResumeBinocularJobRequest request) {
        return call(() -> ResumeBinocularJobResponse.newBuilder()
                .setBinocularJob(JobProtos.job(jobs.resume(Ids.parse(request.getName(), Ids.JOBS, "name"),
                        request.hasBudget() ? JobProtos.budget(request.getBudget()) : null), true))
                .build());
    }

    @Override
    public Uni<ListBinocularLabelsResponse> listBinocularLabels(ListBinocularLabelsRequest request) {
        return call(() -> {
            String parent = request.getParent();
            int at = parent.indexOf("/iterations/");
            if (at < 0) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "parent",
                        "must be binocularJobs/{job}/iterations/{iteration} or binocularJobs/{job}/iterations/-");
            }
            String jobId = Ids.parse(parent.substring(0, at), Ids.JOBS, "parent");
            String iterationPart = parent.substring(at + "/iterations/".length());
            int iteration;
            try {
                iteration = iterationPart.equals("-") ? 0 : Integer.parseInt(iterationPart);
            } catch (NumberFormatException e) {
                iteration = -1;
            }
            if (iteration < 0) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "parent",
                        "iteration must be a positive number or -");
            }
            Page<BinocularLabel> page = jobs.labels(jobId, iteration, request.getMismatchesOnly(),
                    request.getPageSize(), request.getPageToken());
            var b = ListBinocularLabelsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.items().forEach(l -> b.addBinocularLabels(JobProtos.label(l)));
            return b.build();
        });
    }

    /**
     * Polls the job (every {@code labeling.jobs.watch-interval}) and sends a snapshot whenever it changed; completes
     * after the snapshot of a terminal state.
     */
    @Override
    public Multi<WatchBinocularJobResponse> watchBinocularJob(WatchBinocularJobRequest request) {
        return Multi.createFrom().emitter(emitter -> {
            String id;
            try {
                id = Ids.parse(request.getName(), Ids.JOBS, "name");
            } catch (RuntimeException e) {
                emitter.fail(GrpcErrors.toGrpc(e));
                return;
            }
            AtomicReference<BinocularJobProgress> last = new AtomicReference<>();
            ScheduledExecutorService pool = Infrastructure.getDefaultWorkerPool();
            AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
            Runnable poll = () -> {
                try {
                    BinocularJobProgress progress = JobProtos.progress(jobs.progress(id));
                    BinocularJobProgress comparable = progress.toBuilder().clearUpdateTime()
                            .clearEstimatedTimeRemaining().build();
                    BinocularJobProgress previous = last.get();
                    if (previous == null || !previous.equals(comparable)) {
                        last.set(comparable);
                        emitter.emit(WatchBinocularJobResponse.newBuilder().setProgress(progress).build());
                    }
                    if (JobProtos.state(progress.getState()).terminal()) {
                        emitter.complete();
                        task.get().cancel(false);
                    }
                } catch (RuntimeException e) {
                    emitter.fail(GrpcErrors.toGrpc(e));
                    ScheduledFuture<?> f = task.get();
                    if (f != null) {
                        f.cancel(false);
                    }
                }
            };
            task.set(pool.scheduleWithFixedDelay(poll, 0, config.jobs().watchInterval().toMillis(),
                    TimeUnit.MILLISECONDS));
            emitter.onTermination(() -> task.get().cancel(false));
        });
    }

    @Override
    public Uni<CreateDatasetResponse> createDataset(CreateDatasetRequest request) {
        String creator = Actors.current();
        return call(() -> CreateDatasetResponse.newBuilder()
                .setDataset(LabelingProtos.dataset(datasets.create(request.getDatasetId(),
                        request.getDataset().getDisplayName(), request.getDataset().getDescription(), creator)))
                .build());
    }

    @Override
    public Uni<GetDatasetResponse> getDataset(GetDatasetRequest request) {
        return call(() -> GetDatasetResponse.newBuilder()
                .setDataset(LabelingProtos.dataset(datasets.get(Ids.parse(request.getName(), Ids.DATASETS, "name"))))
                .build());
    }

    @Override
    public Uni<ListDatasetsResponse> listDatasets(ListDatasetsRequest request) {
        return call(() -> {
            var page = datasets.list(request.getPageSize(), request.getPageToken());
            var b = ListDatasetsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.items().forEach(d -> b.addDatasets(LabelingProtos.dataset(d)));
            return b.build();
        });
    }

    @Override
    public Uni<ListDatasetItemsResponse> listDatasetItems(ListDatasetItemsRequest request) {
        return call(() -> {
            Page<DatasetItem> page = datasets.listItems(Ids.parse(request.getParent(), Ids.DATASETS, "parent"),
                    request.getPageSize(), request.getPageToken());
            var b = ListDatasetItemsResponse.newBuilder().setNextPageToken(page.nextPageToken());
            page.items().forEach(i -> b.addDatasetItems(LabelingProtos.item(i)));
            return b.build();
        });
    }

    /** Each stream message is stored in its own transaction as it arrives, so a large import never sits in memory. */
    @Override
    public Uni<ImportDatasetItemsResponse> importDatasetItems(Multi<ImportDatasetItemsRequest> request) {
        AtomicReference<DatasetService.ImportSession> session = new AtomicReference<>();
        AtomicLong rows = new AtomicLong();
        return request.emitOn(Infrastructure.getDefaultWorkerPool())
                .onItem().invoke(message -> {
                    String name = message.getDataset();
                    if (session.get() == null) {
                        if (name.isEmpty()) {
                            throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "dataset",
                                    "is required in the first message");
                        }
                        session.set(datasets.startImport(Ids.parse(name, Ids.DATASETS, "dataset")));
                    } else if (!name.isEmpty() && !name.equals(Ids.DATASETS + session.get().datasetId())) {
                        throw LabelingException.invalid(ErrorReason.DATASET_MISMATCH, "dataset",
                                "names " + name + " but the stream imports into datasets/"
                                        + session.get().datasetId());
                    }
                    session.get().accept(message.getItemsList().stream()
                            .map(item -> LabelingProtos.row(rows.incrementAndGet(), item)).toList());
                })
                .collect().last()
                .map(last -> {
                    if (session.get() == null) {
                        throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "dataset",
                                "the stream sent no message");
                    }
                    return LabelingProtos.importResult(session.get().finish());
                })
                .onFailure().transform(GrpcErrors::toGrpc);
    }

    static <T> Uni<T> call(Supplier<T> work) {
        return Uni.createFrom().item(work)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().transform(GrpcErrors::toGrpc);
    }
}
