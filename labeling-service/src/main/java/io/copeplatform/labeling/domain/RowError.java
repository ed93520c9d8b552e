package io.copeplatform.labeling.domain;

/** Why one imported row was rejected (the other rows are kept). */
public record RowError(long row, String reason, String message, String externalId) {
}
