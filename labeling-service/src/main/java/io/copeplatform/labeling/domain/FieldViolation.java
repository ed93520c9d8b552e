package io.copeplatform.labeling.domain;

/** One invalid request field, reported as a BadRequest field violation. */
public record FieldViolation(String field, String description) {
}
