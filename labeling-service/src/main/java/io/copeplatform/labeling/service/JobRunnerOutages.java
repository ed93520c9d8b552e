package io.copeplatform.labeling.service;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;

/** Which failures a job waits out (the scheduler retries) rather than failing on. */
public final class JobRunnerOutages {

    private JobRunnerOutages() {
    }

    /**
     * An unreachable registry (UNAVAILABLE, deadline) is worth waiting for; a registry that answered with a refusal
     * (lint gate, stale etag, ...) is not, so the job fails with the reason.
     */
    public static boolean isTransient(LabelingException e) {
        return e.reason() == ErrorReason.REGISTRY_UNAVAILABLE && !e.metadata().containsKey("registry_code");
    }
}
