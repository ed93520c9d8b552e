package io.copeplatform.review.domain;

/** One invalid request field: its path (e.g. {@code ambiguous_clause.end_offset}) and what is wrong with it. */
public record FieldViolation(String field, String description) {
}
