package io.copeplatform.labeling.domain;

/**
 * One row of an import as read by a parser: either its fields, or why it could not even be read ({@code malformed},
 * e.g. bad JSON). Validation of the fields happens in one place, the dataset service.
 */
public record ImportRow(long row, String text, String externalId, Boolean expectedLabel, String malformed,
        String invalidLabel) {

    public static ImportRow of(long row, String text, String externalId, Boolean expectedLabel) {
        return new ImportRow(row, text, externalId == null ? "" : externalId, expectedLabel, null, null);
    }

    public static ImportRow malformed(long row, String why) {
        return new ImportRow(row, null, "", null, why, null);
    }

    /** A row whose label field held something other than a boolean, 0/1 or true/false. */
    public static ImportRow badLabel(long row, String externalId, String label) {
        return new ImportRow(row, null, externalId == null ? "" : externalId, null, null, label);
    }
}
