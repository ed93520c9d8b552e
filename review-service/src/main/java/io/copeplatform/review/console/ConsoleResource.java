package io.copeplatform.review.console;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.copeplatform.api.review.v1.BinocularIterationSummary;
import io.copeplatform.review.config.ReviewConfig;
import io.copeplatform.review.domain.AuditFilter;
import io.copeplatform.review.domain.Caller;
import io.copeplatform.review.domain.CorrectVersion;
import io.copeplatform.review.domain.ErrorReason;
import io.copeplatform.review.domain.Page;
import io.copeplatform.review.domain.PolicySide;
import io.copeplatform.review.domain.ReviewException;
import io.copeplatform.review.domain.Role;
import io.copeplatform.review.security.AuthenticatedCallers;
import io.copeplatform.review.service.Commands;
import io.copeplatform.review.service.ReviewQueue;
import io.copeplatform.review.service.ReviewStatistics;
import io.copeplatform.review.stats.AgreementReport;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * The web console: server-rendered pages (Qute) with htmx for the decision form. An inbound adapter like the gRPC
 * service: it maps the signed-in identity to a {@link Caller}, parses form fields and calls the same service layer
 * ({@link ReviewQueue}, {@link ReviewStatistics}), which checks roles and validates; errors leave through
 * {@link ConsoleErrors}.
 */
@Path("/console")
@RolesAllowed({"reviewer", "lead", "admin"})
public class ConsoleResource {

    private final ReviewQueue queue;
    private final ReviewStatistics statistics;
    private final SecurityIdentity identity;
    private final ReviewConfig config;
    private final ConsoleErrors errors;

    public ConsoleResource(ReviewQueue queue, ReviewStatistics statistics, SecurityIdentity identity,
            ReviewConfig config, ConsoleErrors errors) {
        this.queue = queue;
        this.statistics = statistics;
        this.identity = identity;
        this.config = config;
        this.errors = errors;
    }

    /** Review errors of these endpoints; security and JAX-RS exceptions keep their own handling. */
    @ServerExceptionMapper
    public Response mapReviewError(ReviewException failure, HttpHeaders headers) {
        return errors.toResponse(failure, headers.getHeaderString("HX-Request") != null,
                headers.getHeaderString(HttpHeaders.ACCEPT));
    }

    /** Anything else the service layer let out (storage failures, races): classified like gRPC's errors. */
    @ServerExceptionMapper
    public Response mapFailure(RuntimeException failure, HttpHeaders headers) {
        if (failure instanceof WebApplicationException web) {
            return web.getResponse();
        }
        Throwable mapped = failure;
        if (failure instanceof io.quarkus.security.ForbiddenException) {
            // Signed in but holding none of the review roles (@RolesAllowed above).
            mapped = ReviewException.roleRequired(Role.REVIEWER, "Using the review console");
        } else if (failure instanceof io.quarkus.security.UnauthorizedException) {
            mapped = ReviewException.of(ErrorReason.UNAUTHENTICATED, "Sign in to use the review console");
        }
        return errors.toResponse(mapped, headers.getHeaderString("HX-Request") != null,
                headers.getHeaderString(HttpHeaders.ACCEPT));
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance queue(ConsoleViews.User user, List<ConsoleViews.JobRow> jobs, String notice);

        static native TemplateInstance task(ConsoleViews.User user, ConsoleViews.TaskPage task, boolean blurred,
                String requestId);

        static native TemplateInstance decided(ConsoleViews.User user, ConsoleViews.TaskPage task,
                ConsoleViews.DecisionView decision);

        static native TemplateInstance renewed(String taskId, ConsoleViews.LeaseView lease);

        static native TemplateInstance job(ConsoleViews.User user, String jobId, JobPage job);

        static native TemplateInstance reviewer(ConsoleViews.User user, ReviewerPage reviewer);

        static native TemplateInstance audit(ConsoleViews.User user, List<ConsoleViews.AuditRow> entries,
                String job, String actor, String nextPage);
    }

    /** The job page: overall agreement, a row and a chart point per iteration, reviewer pairs. */
    public record JobPage(String job, String method, String kappa, String percentAgreement, int raterCount,
            long taskCount, long escalatedTasks, List<IterationRow> iterations, List<AgreementReport.Pair> pairs,
            AgreementChart chart) {
    }

    /** One iteration of a job. */
    public record IterationRow(int iteration, long tasks, long done, long escalated, String reviewerAgreement,
            String reviewerKappa, String determinism, String binocularKappa) {
    }

    /** The reviewer page. */
    public record ReviewerPage(String reviewer, long decisions, long released, long expired, String decisionsPerHour,
            String medianDecisionTime, long overlapped, String agreementWithOthers, String kappaWithOthers,
            long escalations) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance queuePage(@RestQuery String notice) {
        Caller caller = caller();
        String message = "empty".equals(notice) ? "Nothing to claim right now." : null;
        return Templates.queue(ConsoleViews.User.of(caller),
                queue.summary(caller, "").stream().map(ConsoleViews.JobRow::of).toList(), message);
    }

    /** Claims the next task (of one job, or escalated ones for leads) and opens it; back to the queue when none. */
    @POST
    @Path("/claim")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response claim(@RestForm String job, @RestForm String escalated) {
        Caller caller = caller();
        String jobName = job == null || job.isBlank() ? "" : ConsoleViews.JOB_PREFIX + job.strip();
        var claim = queue.claim(caller, jobName, "true".equals(escalated) || "on".equals(escalated), null);
        return Response.seeOther(URI.create(claim.map(c -> "/console/tasks/" + c.task().id())
                .orElse("/console?notice=empty"))).build();
    }

    @GET
    @Path("/tasks/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance taskPage(@RestPath String id) {
        Caller caller = caller();
        return Templates.task(ConsoleViews.User.of(caller), ConsoleViews.task(queue.get(caller, taskId(id))),
                config.console().blurContentByDefault(), UUID.randomUUID().toString());
    }

    /** Records a decision; answers the fragment that replaces the form (htmx), or redirects back to the task. */
    @POST
    @Path("/tasks/{id}/decision")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response decide(@RestPath String id, @RestHeader("HX-Request") String htmx, @RestForm String leaseId,
            @RestForm String label, @RestForm String correctVersion, @RestForm String spanSide,
            @RestForm String spanStart, @RestForm String spanEnd, @RestForm String note,
            @RestForm String requestId) {
        Caller caller = caller();
        boolean hasSpan = spanSide != null && !spanSide.isBlank();
        var command = new Commands.SubmitDecision(taskId(id), leaseId == null ? "" : leaseId, label(label),
                correctVersion(correctVersion), hasSpan, hasSpan ? side(spanSide) : null,
                hasSpan ? offset(spanStart, "ambiguous_clause.start_offset") : 0,
                hasSpan ? offset(spanEnd, "ambiguous_clause.end_offset") : 0, note, requestId);
        var submission = queue.submit(caller, command);
        if (htmx == null) {
            return Response.seeOther(URI.create("/console/tasks/" + id)).build();
        }
        return Response.ok(Templates.decided(ConsoleViews.User.of(caller), ConsoleViews.task(submission.task()),
                ConsoleViews.decision(submission.decision()))).build();
    }

    /** Skips the task: the lease is released and the slot returns to the queue. */
    @POST
    @Path("/tasks/{id}/release")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response release(@RestPath String id, @RestHeader("HX-Request") String htmx, @RestForm String leaseId) {
        queue.release(caller(), taskId(id), leaseId == null ? "" : leaseId, "skipped in the console");
        if (htmx == null) {
            return Response.seeOther(URI.create("/console")).build();
        }
        return Response.noContent().header("HX-Redirect", "/console").build();
    }

    /** Extends the caller's lease by the default duration; answers the new lease line (htmx) or back to the task. */
    @POST
    @Path("/tasks/{id}/renew")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response renew(@RestPath String id, @RestHeader("HX-Request") String htmx, @RestForm String leaseId) {
        var lease = queue.renew(caller(), taskId(id), leaseId == null ? "" : leaseId, null);
        if (htmx == null) {
            return Response.seeOther(URI.create("/console/tasks/" + id)).build();
        }
        return Response.ok(Templates.renewed(id, ConsoleViews.lease(lease))).build();
    }

    @GET
    @Path("/jobs/{jobId}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance jobPage(@RestPath String jobId) {
        Caller caller = caller();
        String job = ConsoleViews.JOB_PREFIX + jobId;
        ReviewStatistics.JobOverview overview = statistics.overview(caller, job);
        Map<Integer, BinocularIterationSummary> binocular = new java.util.HashMap<>();
        for (byte[] raw : overview.overall().iterationSummaries()) {
            try {
                BinocularIterationSummary summary = BinocularIterationSummary.parseFrom(raw);
                binocular.put(summary.getIteration(), summary);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException("Stored iteration summary does not parse", e);
            }
        }
        java.util.SortedSet<Integer> iterations = new java.util.TreeSet<>(binocular.keySet());
        Map<Integer, ReviewStatistics.IterationAgreement> reviewed = new java.util.HashMap<>();
        for (var it : overview.iterations()) {
            reviewed.put(it.iteration(), it);
            iterations.add(it.iteration());
        }
        List<IterationRow> rows = new ArrayList<>();
        List<AgreementChart.Sample> samples = new ArrayList<>();
        for (int iteration : iterations) {
            var r = reviewed.get(iteration);
            var b = binocular.get(iteration);
            Double reviewerAgreement = r == null ? null : r.report().percentAgreement();
            Double determinism = b == null ? null : b.getPercentAgreement();
            rows.add(new IterationRow(iteration, r == null ? 0 : r.tasks(), r == null ? 0 : r.done(),
                    r == null ? 0 : r.escalated(), percent(reviewerAgreement),
                    r == null ? "—" : number(r.report().kappa()), percent(determinism),
                    b == null || !b.hasCohensKappa() ? "—" : number(b.getCohensKappa())));
            samples.add(new AgreementChart.Sample(iteration, determinism, reviewerAgreement));
        }
        AgreementReport overall = overview.overall().report();
        JobPage page = new JobPage(job, methodName(overall.method()), number(overall.kappa()),
                percent(overall.percentAgreement()), overall.raterCount(), overall.itemCount(),
                overview.overall().escalatedTasks(), rows, overall.pairs(), AgreementChart.of(samples));
        return Templates.job(ConsoleViews.User.of(caller), jobId, page);
    }

    @GET
    @Path("/reviewers/{reviewer}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance reviewerPage(@RestPath String reviewer) {
        Caller caller = caller();
        var f = statistics.reviewer(caller, "me".equals(reviewer) ? null : reviewer, null, null);
        long seconds = f.medianDecisionTime().getSeconds();
        return Templates.reviewer(ConsoleViews.User.of(caller),
                new ReviewerPage(f.reviewer(), f.decisions(), f.released(), f.expired(),
                        String.format(Locale.ROOT, "%.1f", f.decisionsPerHour()),
                        String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60), f.overlapped(),
                        percent(f.agreementWithOthers()), number(f.cohensKappaWithOthers()), f.escalations()));
    }

    /** The audit log, newest first; the service refuses it to reviewers. */
    @GET
    @Path("/audit")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance auditPage(@RestQuery String job, @RestQuery String actor, @RestQuery String page) {
        Caller caller = caller();
        String jobName = job == null || job.isBlank() ? "" : ConsoleViews.JOB_PREFIX + job.strip();
        String actorName = actor == null ? "" : actor.strip();
        Page<io.copeplatform.review.domain.AuditEntry> entries = queue.audit(caller,
                new AuditFilter(jobName, "", actorName, null, null, null), config.console().auditPageSize(),
                page == null ? "" : page);
        return Templates.audit(ConsoleViews.User.of(caller), entries.items().stream().map(ConsoleViews::audit).toList(),
                job == null ? "" : job.strip(), actorName, entries.nextPageToken());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private Caller caller() {
        return AuthenticatedCallers.of(identity)
                .orElseThrow(() -> ReviewException.roleRequired(Role.REVIEWER, "Using the review console"));
    }

    /** A task id as it appears in console URLs: the UUID of {@code tasks/{id}}. */
    private static String taskId(String id) {
        if (id == null || io.copeplatform.review.domain.TaskIds.uuidOrNull(id) == null) {
            throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "task", "must be a task id (a UUID)");
        }
        return id;
    }

    private static boolean label(String raw) {
        if ("1".equals(raw)) {
            return true;
        }
        if ("0".equals(raw)) {
            return false;
        }
        throw ReviewException.invalidField(ErrorReason.INVALID_ARGUMENT, "label",
                "must be 1 (violates) or 0 (does not violate)");
    }

    private static CorrectVersion correctVersion(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return CorrectVersion.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ReviewException.invalidField(ErrorReason.CORRECT_VERSION_MISSING, "correct_version",
                    "must be A, B, BOTH or NEITHER");
        }
    }

    private static PolicySide side(String raw) {
        try {
            return PolicySide.valueOf(raw.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ReviewException.invalidField(ErrorReason.INVALID_SPAN, "ambiguous_clause.side", "must be A or B");
        }
    }

    private static int offset(String raw, String field) {
        try {
            return Integer.parseInt(raw == null ? "" : raw.strip());
        } catch (NumberFormatException e) {
            throw ReviewException.invalidField(ErrorReason.INVALID_SPAN, field, "must be a whole number");
        }
    }

    private static String methodName(AgreementReport.Method method) {
        return switch (method) {
            case NONE -> "not enough overlapping decisions";
            case COHENS_KAPPA -> "Cohen's kappa";
            case FLEISS_KAPPA -> "Fleiss' kappa";
            case KRIPPENDORFF_ALPHA -> "Krippendorff's alpha";
        };
    }

    static String percent(Double value) {
        return value == null ? "—" : AgreementChart.percent(value);
    }

    static String number(Double value) {
        return Optional.ofNullable(value).map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("—");
    }
}
