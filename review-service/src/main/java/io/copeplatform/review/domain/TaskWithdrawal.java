package io.copeplatform.review.domain;

/**
 * labeling-service withdrew a job's open tasks (the job was cancelled).
 *
 * @param job
 *            {@code binocularJobs/{job}}
 * @param iteration
 *            only this iteration's tasks; 0 for every iteration
 */
public record TaskWithdrawal(String eventId, String job, int iteration, String reason) {
}
