package io.copeplatform.labeling.service;

import io.copeplatform.labeling.domain.Labeler;
import io.copeplatform.labeling.domain.LabelerSpec;

/** Builds a labeler for a job from its spec (defaults filled from configuration); implemented by client/. */
public interface LabelerFactory {

    Labeler create(LabelerSpec spec);

    /** Requests in flight a job will run for {@code spec} (its max_concurrency or the configured default). */
    int concurrency(LabelerSpec spec);

    /** Fails with INVALID_LABELER_CONFIG when {@code spec} cannot work (e.g. an unknown API key name). */
    void validate(LabelerSpec spec);
}
