package io.copeplatform.labeling.domain;

/**
 * Agreement of two raters on binary labels: percent agreement, Cohen's kappa and its 95% confidence interval (kappa and
 * the interval are null when undefined, e.g. both raters always said the same single label).
 */
public record AgreementStats(long sampleSize, double percentAgreement, Double cohensKappa, Double kappaLower,
        Double kappaUpper) {
}
