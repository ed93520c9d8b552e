package io.copeplatform.review.stats;

import java.util.List;

/**
 * Agreement over items rated at least twice. {@code percentAgreement} and {@code kappa} are null when undefined.
 *
 * @param method
 *            the statistic in {@code kappa}: Cohen's for exactly two raters who both rated every item, Fleiss' for a
 *            fixed number of ratings per item, Krippendorff's alpha when it varies; NONE without items
 */
public record AgreementReport(Method method, int raterCount, long itemCount, long ratingCount, Double percentAgreement,
        Double kappa, List<Pair> pairs) {

    /** The statistic behind {@code kappa}. */
    public enum Method {
        NONE, COHENS_KAPPA, FLEISS_KAPPA, KRIPPENDORFF_ALPHA
    }

    /** Agreement of two raters (a < b) on the items both rated; {@code cohensKappa} null when undefined. */
    public record Pair(String a, String b, long sharedItems, double percentAgreement, Double cohensKappa) {
    }
}
