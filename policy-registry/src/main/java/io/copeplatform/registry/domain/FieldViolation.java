package io.copeplatform.registry.domain;

/** One invalid request field: its path (e.g. {@code policy.draft.text}) and what is wrong with it. */
public record FieldViolation(String field, String description) {
}
