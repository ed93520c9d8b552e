package io.copeplatform.labeling.domain;

import java.util.List;

/** A job with its iterations and live progress, as the API shows it. */
public record JobView(Job job, List<Iteration> iterations, JobProgress progress) {
}
