package io.copeplatform.labeling.mapping;

import io.copeplatform.api.labeling.v1.AnswerFormat;
import io.copeplatform.api.labeling.v1.BinocularIteration;
import io.copeplatform.api.labeling.v1.BinocularJob;
import io.copeplatform.api.labeling.v1.BinocularJobProgress;
import io.copeplatform.api.labeling.v1.Budget;
import io.copeplatform.api.labeling.v1.ChatCompletionsLabeler;
import io.copeplatform.api.labeling.v1.CopeLabeler;
import io.copeplatform.api.labeling.v1.ItemLabel;
import io.copeplatform.api.labeling.v1.ItemReviewState;
import io.copeplatform.api.labeling.v1.IterationPhase;
import io.copeplatform.api.labeling.v1.JobState;
import io.copeplatform.api.labeling.v1.LabelOutcome;
import io.copeplatform.api.labeling.v1.LabelerConfig;
import io.copeplatform.api.labeling.v1.LabelerLimits;
import io.copeplatform.api.labeling.v1.LlmEndpoint;
import io.copeplatform.api.labeling.v1.ParaphraseOptions;
import io.copeplatform.api.labeling.v1.PauseReason;
import io.copeplatform.api.labeling.v1.PolicyTextSnapshot;
import io.copeplatform.api.labeling.v1.ReviewFinding;
import io.copeplatform.api.labeling.v1.Usage;
import io.copeplatform.api.policy.v1.ConfidenceInterval;
import io.copeplatform.api.review.v1.ClauseSpan;
import io.copeplatform.api.review.v1.CorrectVersion;
import io.copeplatform.api.review.v1.PolicySide;
import io.copeplatform.labeling.domain.AgreementStats;
import io.copeplatform.labeling.domain.BinocularLabel;
import io.copeplatform.labeling.domain.Iteration;
import io.copeplatform.labeling.domain.Job;
import io.copeplatform.labeling.domain.JobProgress;
import io.copeplatform.labeling.domain.JobSpec;
import io.copeplatform.labeling.domain.JobView;
import io.copeplatform.labeling.domain.LabelerSpec;
import io.copeplatform.labeling.domain.ParaphraseSpec;
import io.copeplatform.labeling.domain.PolicySnapshot;

/** Binocular job messages <-> domain records. */
public final class JobProtos {

    private JobProtos() {
    }

    // ---- requests -> domain ----

    public static JobSpec spec(String id, BinocularJob j) {
        String policyB = j.getPolicyBCase() == BinocularJob.PolicyBCase.POLICY_VERSION_B ? j.getPolicyVersionB() : null;
        ParaphraseSpec paraphrase = j.getPolicyBCase() == BinocularJob.PolicyBCase.GENERATE_PARAPHRASE
                ? paraphrase(j.getGenerateParaphrase())
                : null;
        String dataset = j.getDataset();
        return new JobSpec(id, j.getDisplayName(), dataset.startsWith("datasets/") ? dataset.substring(9) : dataset,
                j.getPolicyVersionA(), policyB, paraphrase, j.hasLabeler() ? labeler(j.getLabeler()) : defaultLabeler(),
                j.hasRefiner() ? endpoint(j.getRefiner()) : null, j.getTargetAgreement(), j.getMaxIterations(),
                budget(j.getBudget()), j.getReviewOverlap(), j.getContinueAfterRefine());
    }

    /** No labeler given: CoPE through inference-service with its defaults (the platform's own model). */
    public static LabelerSpec defaultLabeler() {
        return new LabelerSpec(null, new LabelerSpec.CopeLabeler("", null, false), 0, 0, null);
    }

    static ParaphraseSpec paraphrase(ParaphraseOptions p) {
        return new ParaphraseSpec(p.hasLlm() ? endpoint(p.getLlm()) : null, p.getInstructions(),
                p.getTargetPolicyId());
    }

    public static io.copeplatform.labeling.domain.Budget budget(Budget b) {
        return new io.copeplatform.labeling.domain.Budget(b.getMaxCalls(), b.getMaxTokens());
    }

    public static LabelerSpec labeler(LabelerConfig c) {
        LabelerLimits limits = c.getLimits();
        LabelerSpec.ChatLabeler chat = null;
        LabelerSpec.CopeLabeler cope = null;
        if (c.getLabelerCase() == LabelerConfig.LabelerCase.CHAT_COMPLETIONS) {
            ChatCompletionsLabeler l = c.getChatCompletions();
            chat = new LabelerSpec.ChatLabeler(l.hasEndpoint()
                    ? endpoint(l.getEndpoint())
                    : io.copeplatform.labeling.domain.LlmEndpoint.defaults(), l.getRequestLogprobs(),
                    l.getAnswerFormat() == AnswerFormat.ANSWER_FORMAT_JSON,
                    l.getJsonLabelField().isEmpty() ? "label" : l.getJsonLabelField());
        } else if (c.getLabelerCase() == LabelerConfig.LabelerCase.COPE) {
            CopeLabeler l = c.getCope();
            cope = new LabelerSpec.CopeLabeler(l.getModel(), l.hasThreshold() ? l.getThreshold() : null,
                    l.getAllowContentTruncation());
        }
        return new LabelerSpec(chat, cope, limits.getMaxConcurrency(), limits.getMaxRequestsPerSecond(),
                limits.hasMaxRetries() ? limits.getMaxRetries() : null);
    }

    public static io.copeplatform.labeling.domain.LlmEndpoint endpoint(LlmEndpoint e) {
        return new io.copeplatform.labeling.domain.LlmEndpoint(e.getBaseUrl(), e.getModel(), e.getApiKeySecret(),
                e.hasTemperature() ? e.getTemperature() : null, e.hasMaxTokens() ? e.getMaxTokens() : null,
                e.hasRequestTimeout() ? LabelingProtos.duration(e.getRequestTimeout()) : null);
    }

    // ---- domain -> responses ----

    public static BinocularJob job(JobView view, boolean withIterations) {
        Job job = view.job();
        JobSpec s = job.spec();
        BinocularJob.Builder b = BinocularJob.newBuilder()
                .setName(job.name())
                .setDisplayName(s.displayName())
                .setPolicyVersionA(s.policyARef())
                .setDataset("datasets/" + s.datasetId())
                .setLabeler(labeler(s.labeler()))
                .setTargetAgreement(s.targetAgreement())
                .setMaxIterations(s.maxIterations())
                .setBudget(budget(s.budget()))
                .setReviewOverlap(s.reviewOverlap())
                .setContinueAfterRefine(s.continueAfterRefine())
                .setState(state(job.state()))
                .setTargetReached(job.targetReached())
                .setCreator(job.creator())
                .setCreateTime(LabelingProtos.timestamp(job.createTime()))
                .setUpdateTime(LabelingProtos.timestamp(job.updateTime()))
                .setProgress(progress(view.progress()));
        if (s.policyBRef() != null) {
            b.setPolicyVersionB(s.policyBRef());
        } else if (s.paraphrase() != null) {
            ParaphraseOptions.Builder p = ParaphraseOptions.newBuilder()
                    .setInstructions(nullToEmpty(s.paraphrase().instructions()))
                    .setTargetPolicyId(nullToEmpty(s.paraphrase().targetPolicyId()));
            if (s.paraphrase().llm() != null) {
                p.setLlm(endpoint(s.paraphrase().llm()));
            }
            b.setGenerateParaphrase(p);
        }
        if (s.refiner() != null) {
            b.setRefiner(endpoint(s.refiner()));
        }
        if (job.pauseReason() != null) {
            b.setPauseReason(PauseReason.valueOf("PAUSE_REASON_" + job.pauseReason().name()));
        }
        if (job.failureReason() != null) {
            b.setFailureReason(job.failureReason());
        }
        if (job.failureMessage() != null) {
            b.setFailureMessage(job.failureMessage());
        }
        if (job.startTime() != null) {
            b.setStartTime(LabelingProtos.timestamp(job.startTime()));
        }
        if (job.endTime() != null) {
            b.setEndTime(LabelingProtos.timestamp(job.endTime()));
        }
        if (withIterations) {
            view.iterations().forEach(it -> b.addIterations(iteration(it)));
        }
        return b.build();
    }

    public static BinocularIteration iteration(Iteration it) {
        BinocularIteration.Builder b = BinocularIteration.newBuilder()
                .setName("binocularJobs/" + it.jobId() + "/iterations/" + it.iteration())
                .setIteration(it.iteration())
                .setPhase(phase(it.phase()))
                .setPolicyA(snapshot(it.policyA()))
                .setItemCount(it.itemCount())
                .setLabeledCount(it.labeledCount())
                .setMismatchCount(it.mismatchCount())
                .setReviewedCount(it.reviewedCount())
                .setMalformedCount(it.malformedCount())
                .setFailedCount(it.failedCount())
                .setUsage(usage(it.usage()))
                .setStartTime(LabelingProtos.timestamp(it.startTime()));
        if (it.policyB() != null) {
            b.setPolicyB(snapshot(it.policyB()));
        }
        AgreementStats a = it.agreement();
        if (a != null) {
            b.setPercentAgreement(a.percentAgreement());
            if (a.cohensKappa() != null) {
                b.setCohensKappa(a.cohensKappa()).setCohensKappaCi(ci(a));
            }
        }
        b.setProposedText(nullToEmpty(it.proposedText())).setDraftConflict(it.draftConflict());
        if (it.refinedDraft() != null) {
            b.setRefinedDraft(snapshot(it.refinedDraft()));
        }
        if (it.endTime() != null) {
            b.setEndTime(LabelingProtos.timestamp(it.endTime()));
        }
        return b.build();
    }

    public static BinocularJobProgress progress(JobProgress p) {
        BinocularJobProgress.Builder b = BinocularJobProgress.newBuilder()
                .setJob("binocularJobs/" + p.jobId())
                .setState(state(p.state()))
                .setIteration(p.iteration())
                .setItemCount(p.itemCount())
                .setLabeledCount(p.labeledCount())
                .setMismatchCount(p.mismatchCount())
                .setReviewedCount(p.reviewedCount())
                .setMalformedCount(p.malformedCount())
                .setUsage(usage(p.usage()))
                .setBudget(budget(p.budget()))
                .setUpdateTime(LabelingProtos.timestamp(p.updateTime()));
        if (p.pauseReason() != null) {
            b.setPauseReason(PauseReason.valueOf("PAUSE_REASON_" + p.pauseReason().name()));
        }
        if (p.phase() != null) {
            b.setPhase(phase(p.phase()));
        }
        AgreementStats a = p.agreement();
        if (a != null) {
            b.setPercentAgreement(a.percentAgreement());
            if (a.cohensKappa() != null) {
                b.setCohensKappa(a.cohensKappa()).setCohensKappaCi(ci(a));
            }
        }
        if (p.estimatedTimeRemaining() != null) {
            b.setEstimatedTimeRemaining(LabelingProtos.duration(p.estimatedTimeRemaining()));
        }
        return b.build();
    }

    public static io.copeplatform.api.labeling.v1.BinocularLabel label(BinocularLabel l) {
        var b = io.copeplatform.api.labeling.v1.BinocularLabel.newBuilder()
                .setName("binocularJobs/" + l.jobId() + "/iterations/" + l.iteration() + "/labels/" + l.itemId())
                .setItem("datasets/" + l.datasetId() + "/items/" + l.itemId())
                .setContentSha256(l.contentSha256())
                .setLabelA(itemLabel(l.labelA()))
                .setMismatch(l.mismatch())
                .setTask(nullToEmpty(l.task()));
        if (l.labelB() != null) {
            b.setLabelB(itemLabel(l.labelB()));
            b.setReviewState(l.goldLabel() != null
                    ? ItemReviewState.ITEM_REVIEW_STATE_DONE
                    : l.reviewPending() || l.mismatch()
                            ? ItemReviewState.ITEM_REVIEW_STATE_PENDING
                            : ItemReviewState.ITEM_REVIEW_STATE_NOT_REQUIRED);
        }
        if (l.goldLabel() != null) {
            b.setGoldLabel(l.goldLabel());
        }
        for (io.copeplatform.labeling.domain.ReviewFinding f : l.findings()) {
            ReviewFinding.Builder fb = ReviewFinding.newBuilder().setDecision(f.decision()).setReviewer(f.reviewer())
                    .setLabel(f.label()).setCorrectVersion(CorrectVersion.valueOf("CORRECT_VERSION_"
                            + f.correctVersion()))
                    .setNote(f.note()).setResolution(f.resolution())
                    .setDecideTime(LabelingProtos.timestamp(f.decideTime()));
            if (f.clauseSide() != null) {
                fb.setAmbiguousClause(ClauseSpan.newBuilder().setSide(PolicySide.valueOf("POLICY_SIDE_"
                        + f.clauseSide())).setStartOffset(f.clauseStart()).setEndOffset(f.clauseEnd())
                        .setQuotedText(nullToEmpty(f.clauseText())));
            }
            b.addFindings(fb);
        }
        return b.build();
    }

    static ItemLabel itemLabel(io.copeplatform.labeling.domain.ItemLabel l) {
        ItemLabel.Builder b = ItemLabel.newBuilder()
                .setOutcome(LabelOutcome.valueOf("LABEL_OUTCOME_" + l.outcome().name()))
                .setLabel(l.label())
                .setRawAnswer(l.rawAnswer())
                .setAttemptCount(l.attemptCount())
                .setPromptTokens(l.promptTokens())
                .setCompletionTokens(l.completionTokens())
                .setErrorMessage(l.errorMessage())
                .setLabelTime(LabelingProtos.timestamp(l.labelTime()))
                .setModel(nullToEmpty(l.model()))
                .setModelVersion(nullToEmpty(l.modelVersion()));
        if (l.score() != null) {
            b.setScore(l.score());
        }
        return b.build();
    }

    public static LabelerConfig labeler(LabelerSpec s) {
        LabelerConfig.Builder b = LabelerConfig.newBuilder();
        LabelerLimits.Builder limits = LabelerLimits.newBuilder().setMaxConcurrency(s.maxConcurrency())
                .setMaxRequestsPerSecond(s.maxRequestsPerSecond());
        if (s.maxRetries() != null) {
            limits.setMaxRetries(s.maxRetries());
        }
        b.setLimits(limits);
        if (s.chat() != null) {
            b.setChatCompletions(ChatCompletionsLabeler.newBuilder().setEndpoint(endpoint(s.chat().endpoint()))
                    .setRequestLogprobs(s.chat().requestLogprobs())
                    .setAnswerFormat(s.chat().jsonAnswer()
                            ? AnswerFormat.ANSWER_FORMAT_JSON
                            : AnswerFormat.ANSWER_FORMAT_DIGIT)
                    .setJsonLabelField(s.chat().jsonAnswer() ? s.chat().jsonLabelField() : ""));
        } else if (s.cope() != null) {
            CopeLabeler.Builder c = CopeLabeler.newBuilder().setModel(nullToEmpty(s.cope().model()))
                    .setAllowContentTruncation(s.cope().allowContentTruncation());
            if (s.cope().threshold() != null) {
                c.setThreshold(s.cope().threshold());
            }
            b.setCope(c);
        }
        return b.build();
    }

    static LlmEndpoint endpoint(io.copeplatform.labeling.domain.LlmEndpoint e) {
        LlmEndpoint.Builder b = LlmEndpoint.newBuilder().setBaseUrl(nullToEmpty(e.baseUrl()))
                .setModel(nullToEmpty(e.model())).setApiKeySecret(nullToEmpty(e.apiKeySecret()));
        if (e.temperature() != null) {
            b.setTemperature(e.temperature());
        }
        if (e.maxTokens() != null) {
            b.setMaxTokens(e.maxTokens());
        }
        if (e.requestTimeout() != null) {
            b.setRequestTimeout(LabelingProtos.duration(e.requestTimeout()));
        }
        return b.build();
    }

    public static Budget budget(io.copeplatform.labeling.domain.Budget b) {
        return Budget.newBuilder().setMaxCalls(b.maxCalls()).setMaxTokens(b.maxTokens()).build();
    }

    public static Usage usage(io.copeplatform.labeling.domain.Usage u) {
        return Usage.newBuilder().setCallCount(u.callCount()).setPromptTokens(u.promptTokens())
                .setCompletionTokens(u.completionTokens()).setTotalTokens(u.totalTokens())
                .setRetryCount(u.retryCount()).setMalformedCount(u.malformedCount())
                .setFailedCallCount(u.failedCallCount()).build();
    }

    public static JobState state(io.copeplatform.labeling.domain.JobState s) {
        return JobState.valueOf("JOB_STATE_" + s.name());
    }

    public static io.copeplatform.labeling.domain.JobState state(JobState s) {
        return s == JobState.JOB_STATE_UNSPECIFIED || s == JobState.UNRECOGNIZED
                ? null
                : io.copeplatform.labeling.domain.JobState.valueOf(s.name().substring("JOB_STATE_".length()));
    }

    static IterationPhase phase(io.copeplatform.labeling.domain.IterationPhase p) {
        return IterationPhase.valueOf("ITERATION_PHASE_" + p.name());
    }

    static PolicyTextSnapshot snapshot(PolicySnapshot p) {
        return PolicyTextSnapshot.newBuilder().setPolicy(nullToEmpty(p.policy()))
                .setPolicyVersion(nullToEmpty(p.version())).setDraftEtag(nullToEmpty(p.draftEtag()))
                .setTextSha256(nullToEmpty(p.sha256())).build();
    }

    static ConfidenceInterval ci(AgreementStats a) {
        return ConfidenceInterval.newBuilder().setLower(a.kappaLower()).setUpper(a.kappaUpper())
                .setConfidenceLevel(0.95).build();
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
