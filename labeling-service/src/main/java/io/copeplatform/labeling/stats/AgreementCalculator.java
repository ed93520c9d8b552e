package io.copeplatform.labeling.stats;

import io.copeplatform.labeling.domain.AgreementStats;

/**
 * Percent agreement and Cohen's kappa of two wordings' binary labels on the same items, from the 2x2 table.
 * <p>
 * The 95% interval uses the large-sample standard error {@code sqrt(po (1 - po) / (n (1 - pe)^2))} (Cohen 1960), the
 * one most tools report; it is clipped to [-1, 1].
 */
public final class AgreementCalculator {

    private static final double Z_95 = 1.959963984540054;

    private AgreementCalculator() {
    }

    /**
     * @param bothPositive
     *            items both wordings labeled 1
     * @param onlyA
     *            A said 1, B said 0
     * @param onlyB
     *            A said 0, B said 1
     * @param bothNegative
     *            both said 0
     * @return null when there are no items
     */
    public static AgreementStats compute(long bothPositive, long onlyA, long onlyB, long bothNegative) {
        long n = bothPositive + onlyA + onlyB + bothNegative;
        if (n == 0) {
            return null;
        }
        double po = (double) (bothPositive + bothNegative) / n;
        double aPositive = (double) (bothPositive + onlyA) / n;
        double bPositive = (double) (bothPositive + onlyB) / n;
        double pe = aPositive * bPositive + (1 - aPositive) * (1 - bPositive);
        if (pe >= 1.0) {
            // Both wordings gave one and the same label to every item: kappa is 0/0, undefined.
            return new AgreementStats(n, po, null, null, null);
        }
        double kappa = (po - pe) / (1 - pe);
        double standardError = Math.sqrt(po * (1 - po) / (n * (1 - pe) * (1 - pe)));
        double lower = Math.max(-1.0, kappa - Z_95 * standardError);
        double upper = Math.min(1.0, kappa + Z_95 * standardError);
        return new AgreementStats(n, po, kappa, lower, upper);
    }
}
