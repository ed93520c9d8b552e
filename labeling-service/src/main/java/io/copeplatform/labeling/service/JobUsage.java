package io.copeplatform.labeling.service;

import java.util.concurrent.atomic.AtomicLong;

import io.copeplatform.labeling.domain.Budget;
import io.copeplatform.labeling.domain.PauseReason;
import io.copeplatform.labeling.domain.Usage;
import io.copeplatform.labeling.domain.UsageMeter;

/** Live call and token accounting of one job (or evaluation), starting from what was stored. Thread-safe. */
final class JobUsage implements UsageMeter {

    private final AtomicLong calls;
    private final AtomicLong prompt;
    private final AtomicLong completion;
    private final AtomicLong retries;
    private final AtomicLong malformed;
    private final AtomicLong failed;
    private volatile Budget budget;

    JobUsage(Usage start, Budget budget) {
        calls = new AtomicLong(start.callCount());
        prompt = new AtomicLong(start.promptTokens());
        completion = new AtomicLong(start.completionTokens());
        retries = new AtomicLong(start.retryCount());
        malformed = new AtomicLong(start.malformedCount());
        failed = new AtomicLong(start.failedCallCount());
        this.budget = budget;
    }

    @Override
    public void call(long promptTokens, long completionTokens) {
        calls.incrementAndGet();
        prompt.addAndGet(promptTokens);
        completion.addAndGet(completionTokens);
    }

    @Override
    public void retry() {
        retries.incrementAndGet();
    }

    @Override
    public void malformed() {
        malformed.incrementAndGet();
    }

    @Override
    public void failedCall() {
        failed.incrementAndGet();
    }

    Usage snapshot() {
        return new Usage(calls.get(), prompt.get(), completion.get(), retries.get(), malformed.get(), failed.get());
    }

    /** The limit reached, or null. */
    PauseReason exhausted() {
        return budget.exhaustedBy(snapshot());
    }
}
