package io.copeplatform.labeling.domain;

import java.util.regex.Pattern;

/** Resource ids and names of this service. */
public final class Ids {

    public static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    public static final String DATASETS = "datasets/";
    public static final String JOBS = "binocularJobs/";
    public static final String EVALUATIONS = "evaluations/";

    private Ids() {
    }

    /** The id of {@code prefix + id}, or an INVALID_REFERENCE error naming {@code field}. */
    public static String parse(String name, String prefix, String field) {
        if (name == null || !name.startsWith(prefix) || !SLUG.matcher(name.substring(prefix.length())).matches()) {
            throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, field,
                    "must be " + prefix + "{id} with a lower-case slug id, got '" + name + "'");
        }
        return name.substring(prefix.length());
    }

    public static void requireSlug(String id, String field) {
        if (id == null || !SLUG.matcher(id).matches()) {
            throw LabelingException.invalid(ErrorReason.INVALID_ID, field,
                    "must match [a-z][a-z0-9-]{0,62}, got '" + id + "'");
        }
    }
}
