package io.copeplatform.review.domain;

/** Task counts of one job's queue. */
public record JobQueue(String job, long open, long claimed, long escalated, long done, long claimable) {
}
