package io.copeplatform.review.grpc;

import java.time.Duration;
import java.util.function.Function;

import io.copeplatform.api.review.v1.Agreement;
import io.copeplatform.api.review.v1.AgreementMethod;
import io.copeplatform.api.review.v1.BinocularIterationSummary;
import io.copeplatform.api.review.v1.ClaimNextTaskRequest;
import io.copeplatform.api.review.v1.ClaimNextTaskResponse;
import io.copeplatform.api.review.v1.GetAgreementRequest;
import io.copeplatform.api.review.v1.GetAgreementResponse;
import io.copeplatform.api.review.v1.GetQueueSummaryRequest;
import io.copeplatform.api.review.v1.GetQueueSummaryResponse;
import io.copeplatform.api.review.v1.GetReviewerStatsRequest;
import io.copeplatform.api.review.v1.GetReviewerStatsResponse;
import io.copeplatform.api.review.v1.GetTaskRequest;
import io.copeplatform.api.review.v1.GetTaskResponse;
import io.copeplatform.api.review.v1.JobQueueSummary;
import io.copeplatform.api.review.v1.ListAuditEventsRequest;
import io.copeplatform.api.review.v1.ListAuditEventsResponse;
import io.copeplatform.api.review.v1.ListTasksRequest;
import io.copeplatform.api.review.v1.ListTasksResponse;
import io.copeplatform.api.review.v1.PairwiseAgreement;
import io.copeplatform.api.review.v1.ReleaseTaskRequest;
import io.copeplatform.api.review.v1.ReleaseTaskResponse;
import io.copeplatform.api.review.v1.RenewTaskLeaseRequest;
import io.copeplatform.api.review.v1.RenewTaskLeaseResponse;
import io.copeplatform.api.review.v1.ReviewService;
import io.copeplatform.api.review.v1.ReviewerStats;
import io.copeplatform.api.review.v1.SubmitDecisionRequest;
import io.copeplatform.api.review.v1.SubmitDecisionResponse;
import io.copeplatform.review.domain.AuditFilter;
import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.TaskIds;
import io.copeplatform.review.mapping.ReviewProtos;
import io.copeplatform.review.service.Commands;
import io.copeplatform.review.service.ReviewQueue;
import io.copeplatform.review.service.ReviewStatistics;
import io.copeplatform.review.stats.AgreementReport;
import io.quarkus.grpc.GrpcService;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * gRPC adapter of {@code cope.review.v1.ReviewService}: reads the caller, validates names, maps messages and errors.
 * The work (short JDBC transactions) runs on worker threads.
 */
@GrpcService
public class ReviewGrpcService implements ReviewService {

    private static final String JOB_PREFIX = "binocularJobs/";

    private final ReviewQueue queue;
    private final ReviewStatistics statistics;
    private final Callers callers;
    private final CurrentIdentityAssociation identities;

    public ReviewGrpcService(ReviewQueue queue, ReviewStatistics statistics, Callers callers,
            CurrentIdentityAssociation identities) {
        this.queue = queue;
        this.statistics = statistics;
        this.callers = callers;
        this.identities = identities;
    }

    @Override
    public Uni<ClaimNextTaskResponse> claimNextTask(ClaimNextTaskRequest request) {
        return call(caller -> {
            String job = optionalJob(request.getJob(), "job");
            Duration lease = request.hasLeaseDuration()
                    ? Duration.ofSeconds(request.getLeaseDuration().getSeconds(), request.getLeaseDuration().getNanos())
                    : null;
            var claim = queue.claim(caller, job, request.getEscalated(), lease);
            var response = ClaimNextTaskResponse.newBuilder();
            claim.ifPresent(c -> response.setTask(ReviewProtos.task(c.task())).setLease(ReviewProtos.lease(c.lease())));
            return response.build();
        });
    }

    @Override
    public Uni<GetTaskResponse> getTask(GetTaskRequest request) {
        return call(caller -> GetTaskResponse.newBuilder()
                .setTask(ReviewProtos.task(queue.get(caller, TaskIds.parse(request.getName(), "name"))))
                .build());
    }

    @Override
    public Uni<SubmitDecisionResponse> submitDecision(SubmitDecisionRequest request) {
        return call(caller -> {
            var span = request.getAmbiguousClause();
            var command = new Commands.SubmitDecision(TaskIds.parse(request.getTask(), "task"), request.getLeaseId(),
                    request.getLabel(), ReviewProtos.correctVersion(request.getCorrectVersion()),
                    request.hasAmbiguousClause(), ReviewProtos.side(span.getSide()), span.getStartOffset(),
                    span.getEndOffset(), request.getNote(), request.getRequestId());
            var submission = queue.submit(caller, command);
            return SubmitDecisionResponse.newBuilder()
                    .setDecision(ReviewProtos.decision(submission.decision()))
                    .setTask(ReviewProtos.task(submission.task()))
                    .build();
        });
    }

    @Override
    public Uni<ReleaseTaskResponse> releaseTask(ReleaseTaskRequest request) {
        return call(caller -> ReleaseTaskResponse.newBuilder()
                .setTask(ReviewProtos.task(queue.release(caller, TaskIds.parse(request.getTask(), "task"),
                        request.getLeaseId(), request.getReason())))
                .build());
    }

    @Override
    public Uni<RenewTaskLeaseResponse> renewTaskLease(RenewTaskLeaseRequest request) {
        return call(caller -> {
            Duration lease = request.hasLeaseDuration()
                    ? Duration.ofSeconds(request.getLeaseDuration().getSeconds(), request.getLeaseDuration().getNanos())
                    : null;
            return RenewTaskLeaseResponse.newBuilder()
                    .setLease(ReviewProtos.lease(queue.renew(caller, TaskIds.parse(request.getTask(), "task"),
                            request.getLeaseId(), lease)))
                    .build();
        });
    }

    @Override
    public Uni<ListTasksResponse> listTasks(ListTasksRequest request) {
        return call(caller -> {
            var page = queue.list(caller, optionalJob(request.getJob(), "job"), ReviewProtos.state(request.getState()),
                    request.hasIteration() ? request.getIteration() : null, request.getPageSize(),
                    request.getPageToken());
            return ListTasksResponse.newBuilder()
                    .addAllTasks(page.items().stream().map(ReviewProtos::task).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    @Override
    public Uni<GetQueueSummaryResponse> getQueueSummary(GetQueueSummaryRequest request) {
        return call(caller -> {
            var response = GetQueueSummaryResponse.newBuilder();
            for (var job : queue.summary(caller, optionalJob(request.getJob(), "job"))) {
                response.addJobs(JobQueueSummary.newBuilder().setJob(job.job()).setOpenCount(job.open())
                        .setClaimedCount(job.claimed()).setEscalatedCount(job.escalated()).setDoneCount(job.done())
                        .setClaimableCount(job.claimable()));
            }
            return response.build();
        });
    }

    @Override
    public Uni<GetReviewerStatsResponse> getReviewerStats(GetReviewerStatsRequest request) {
        return call(caller -> {
            String name = request.getName();
            if (!name.startsWith("reviewers/") || !name.endsWith("/stats")
                    || name.length() <= "reviewers//stats".length()) {
                throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "name",
                        "must be reviewers/{reviewer}/stats");
            }
            String reviewer = name.substring("reviewers/".length(), name.length() - "/stats".length());
            var f = statistics.reviewer(caller, "me".equals(reviewer) ? null : reviewer,
                    request.hasStartTime() ? ReviewProtos.instant(request.getStartTime()) : null,
                    request.hasEndTime() ? ReviewProtos.instant(request.getEndTime()) : null);
            var stats = ReviewerStats.newBuilder()
                    .setName("reviewers/" + f.reviewer() + "/stats")
                    .setReviewer(f.reviewer())
                    .setStartTime(ReviewProtos.timestamp(f.start()))
                    .setEndTime(ReviewProtos.timestamp(f.end()))
                    .setDecisionCount(f.decisions())
                    .setReleaseCount(f.released())
                    .setExpiredLeaseCount(f.expired())
                    .setDecisionsPerHour(f.decisionsPerHour())
                    .setMedianDecisionTime(com.google.protobuf.Duration.newBuilder()
                            .setSeconds(f.medianDecisionTime().getSeconds())
                            .setNanos(f.medianDecisionTime().getNano()))
                    .setOverlappedDecisionCount(f.overlapped())
                    .setEscalationCount(f.escalations());
            if (f.agreementWithOthers() != null) {
                stats.setAgreementWithOthers(f.agreementWithOthers());
            }
            if (f.cohensKappaWithOthers() != null) {
                stats.setCohensKappaWithOthers(f.cohensKappaWithOthers());
            }
            return GetReviewerStatsResponse.newBuilder().setReviewerStats(stats).build();
        });
    }

    @Override
    public Uni<GetAgreementResponse> getAgreement(GetAgreementRequest request) {
        return call(caller -> {
            String job = requiredJob(request.getJob(), "job");
            Integer iteration = request.hasIteration() ? request.getIteration() : null;
            var result = statistics.agreement(caller, job, iteration);
            AgreementReport r = result.report();
            var agreement = Agreement.newBuilder()
                    .setJob(job)
                    .setMethod(switch (r.method()) {
                        case NONE -> AgreementMethod.AGREEMENT_METHOD_UNSPECIFIED;
                        case COHENS_KAPPA -> AgreementMethod.AGREEMENT_METHOD_COHENS_KAPPA;
                        case FLEISS_KAPPA -> AgreementMethod.AGREEMENT_METHOD_FLEISS_KAPPA;
                        case KRIPPENDORFF_ALPHA -> AgreementMethod.AGREEMENT_METHOD_KRIPPENDORFF_ALPHA;
                    })
                    .setRaterCount(r.raterCount())
                    .setTaskCount(r.itemCount())
                    .setDecisionCount(r.ratingCount())
                    .setEscalatedTaskCount(result.escalatedTasks());
            if (iteration != null) {
                agreement.setIteration(iteration);
            }
            if (r.percentAgreement() != null) {
                agreement.setPercentAgreement(r.percentAgreement());
            }
            if (r.kappa() != null) {
                agreement.setKappa(r.kappa());
            }
            for (AgreementReport.Pair p : r.pairs()) {
                var pair = PairwiseAgreement.newBuilder().setReviewerA(p.a()).setReviewerB(p.b())
                        .setSharedTaskCount(p.sharedItems()).setPercentAgreement(p.percentAgreement());
                if (p.cohensKappa() != null) {
                    pair.setCohensKappa(p.cohensKappa());
                }
                agreement.addPairs(pair);
            }
            for (byte[] summary : result.iterationSummaries()) {
                try {
                    agreement.addBinocularIterations(BinocularIterationSummary.parseFrom(summary));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalStateException("Stored iteration summary does not parse", e);
                }
            }
            return GetAgreementResponse.newBuilder().setAgreement(agreement).build();
        });
    }

    @Override
    public Uni<ListAuditEventsResponse> listAuditEvents(ListAuditEventsRequest request) {
        return call(caller -> {
            String task = request.getTask().isEmpty() ? "" : TaskIds.parse(request.getTask(), "task");
            var filter = new AuditFilter(optionalJob(request.getJob(), "job"), task, request.getActor(),
                    ReviewProtos.action(request.getAction()),
                    request.hasStartTime() ? ReviewProtos.instant(request.getStartTime()) : null,
                    request.hasEndTime() ? ReviewProtos.instant(request.getEndTime()) : null);
            var page = queue.audit(caller, filter, request.getPageSize(), request.getPageToken());
            return ListAuditEventsResponse.newBuilder()
                    .addAllAuditEvents(page.items().stream().map(ReviewProtos::audit).toList())
                    .setNextPageToken(page.nextPageToken())
                    .build();
        });
    }

    /**
     * Runs {@code work} for the current caller on a worker thread; every failure leaves through {@link GrpcErrors}. The
     * identity was authenticated by Quarkus security before the call reached us (credentials are checked on the shared
     * HTTP port); the headers are read here, on the call's thread.
     */
    private <T> Uni<T> call(Function<Caller, T> work) {
        Callers.Headers headers = Callers.headers();
        return identities.getDeferredIdentity()
                .map(identity -> callers.current(identity, headers))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(work)
                .onFailure().transform(GrpcErrors::toGrpc);
    }

    private static String optionalJob(String job, String field) {
        return job.isEmpty() ? "" : requiredJob(job, field);
    }

    private static String requiredJob(String job, String field) {
        if (!job.startsWith(JOB_PREFIX) || job.length() == JOB_PREFIX.length()
                || job.indexOf('/', JOB_PREFIX.length()) >= 0) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, field, "must be binocularJobs/{job}");
        }
        return job;
    }
}
