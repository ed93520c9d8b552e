package io.copeplatform.review.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.repository.StatsRepository;
import io.copeplatform.review.repository.StatsRepository.Rating;
import io.copeplatform.review.repository.TaskRepository;
import io.copeplatform.review.repository.Transactions;
import io.copeplatform.review.stats.AgreementCalculator;
import io.copeplatform.review.stats.AgreementReport;
import io.copeplatform.review.stats.RatedItem;

/** Agreement per job and reviewer statistics, computed from the decisions by {@link AgreementCalculator}. */
@ApplicationScoped
public class ReviewStatistics {

    private final Transactions tx;
    private final StatsRepository stats;
    private final TaskRepository tasks;

    public ReviewStatistics(Transactions tx, StatsRepository stats, TaskRepository tasks) {
        this.tx = tx;
        this.stats = stats;
        this.tasks = tasks;
    }

    /** A job's agreement; {@code iterationSummaries} are the serialized summaries labeling-service sent. */
    public record JobAgreement(String job, Integer iteration, AgreementReport report, long escalatedTasks,
            List<byte[]> iterationSummaries) {
    }

    /** One iteration of a job: how many of its mismatches were reviewed and how the reviewers agreed on them. */
    public record IterationAgreement(int iteration, long tasks, long done, long escalated, AgreementReport report) {
    }

    /** A job's agreement overall and per iteration (the console's job page). */
    public record JobOverview(JobAgreement overall, List<IterationAgreement> iterations) {
    }

    /** Throughput and agreement of one reviewer in [start, end). Nullable doubles are unset when undefined. */
    public record ReviewerFigures(String reviewer, Instant start, Instant end, long decisions, long released,
            long expired, double decisionsPerHour, Duration medianDecisionTime, long overlapped,
            Double agreementWithOthers, Double cohensKappaWithOthers, long escalations) {
    }

    /** Leads and admins only: it exposes how each reviewer labels. */
    public JobAgreement agreement(Caller caller, String job, Integer iteration) {
        caller.require(Role.LEAD, "Reading a job's agreement");
        return tx.inTransaction(c -> {
            if (!tasks.jobExists(c, job)) {
                throw ReviewException.of(ErrorReason.JOB_NOT_FOUND, "No tasks for job " + job, Map.of("job", job));
            }
            AgreementReport report = AgreementCalculator.report(items(stats.jobRatings(c, job, iteration)));
            return new JobAgreement(job, iteration, report, stats.escalatedTasks(c, job, iteration),
                    tasks.iterationSummaries(c, job));
        });
    }

    /** Leads and admins only, like {@link #agreement}: the job's agreement overall and per iteration in one read. */
    public JobOverview overview(Caller caller, String job) {
        JobAgreement overall = agreement(caller, job, null);
        return tx.inTransaction(c -> {
            List<IterationAgreement> iterations = new ArrayList<>();
            for (StatsRepository.IterationProgress p : stats.iterationProgress(c, job)) {
                AgreementReport report = AgreementCalculator.report(items(stats.jobRatings(c, job, p.iteration())));
                iterations.add(new IterationAgreement(p.iteration(), p.tasks(), p.done(), p.escalated(), report));
            }
            return new JobOverview(overall, iterations);
        });
    }

    /** {@code reviewer} null means the caller; reviewers may read only their own figures. */
    public ReviewerFigures reviewer(Caller caller, String reviewer, Instant start, Instant end) {
        String who = reviewer == null ? caller.id() : reviewer;
        if (!who.equals(caller.id())) {
            caller.require(Role.LEAD, "Reading another reviewer's statistics");
        }
        Instant from = start == null ? Instant.EPOCH : start;
        Instant to = end == null ? Instant.now() : end;
        return tx.inTransaction(c -> {
            if (!who.equals(caller.id()) && !stats.reviewerExists(c, who)) {
                throw ReviewException.of(ErrorReason.REVIEWER_NOT_FOUND, "No reviewer " + who,
                        Map.of("reviewer", who));
            }
            long decisions = stats.decisionCount(c, who, from, to);
            StatsRepository.LeaseFigures leases = stats.leaseFigures(c, who, from, to);
            List<Rating> around = stats.ratingsAround(c, who, from, to);
            var agreement = AgreementCalculator.raterAgainstOthers(who, items(around));
            long escalations = around.stream().filter(r -> r.reviewer().equals(who) && r.causedEscalation()).count();
            double hours = leases.underLease().toMillis() / 3_600_000.0;
            return new ReviewerFigures(who, from, to, decisions, leases.released(), leases.expired(),
                    hours > 0 ? decisions / hours : 0, median(leases.decisionTimes()), agreement.overlapped(),
                    agreement.agreementWithOthers(), agreement.cohensKappaWithOthers(), escalations);
        });
    }

    private static List<RatedItem> items(List<Rating> ratings) {
        Map<String, Map<String, Boolean>> byTask = new LinkedHashMap<>();
        for (Rating r : ratings) {
            byTask.computeIfAbsent(r.taskId(), k -> new LinkedHashMap<>()).put(r.reviewer(), r.label());
        }
        List<RatedItem> out = new ArrayList<>();
        byTask.forEach((id, labels) -> out.add(new RatedItem(id, labels)));
        return out;
    }

    static Duration median(List<Duration> values) {
        if (values.isEmpty()) {
            return Duration.ZERO;
        }
        List<Duration> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : sorted.get(mid - 1).plus(sorted.get(mid)).dividedBy(2);
    }
}
