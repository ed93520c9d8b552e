package io.copeplatform.review.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Agreement statistics against values computed by hand (or taken from the literature). */
class AgreementTest {

    private static final double EPS = 1e-4;

    /**
     * Fleiss (1971), as worked on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters, 5 categories.
     * P-bar = 0.378, P-e = 0.213, kappa = 0.210 (0.20993 unrounded).
     */
    @Test
    void fleissKappaMatchesTheTextbookExample() {
        long[][] counts = {
                {0, 0, 0, 0, 14},
                {0, 2, 6, 4, 2},
                {0, 0, 3, 5, 6},
                {0, 3, 9, 2, 0},
                {2, 2, 8, 1, 1},
                {7, 7, 0, 0, 0},
                {3, 2, 6, 3, 0},
                {2, 5, 3, 2, 2},
                {6, 5, 2, 1, 0},
                {0, 2, 2, 3, 7}};
        assertEquals(0.20993, Agreement.fleissKappa(counts).getAsDouble(), EPS);
    }

    /**
     * 50 items, two raters: both "yes" 20, rater 1 yes / rater 2 no 5, rater 1 no / rater 2 yes 10, both "no" 15. po =
     * (20 + 15) / 50 = 0.70. Rater 1 says yes 25/50 = 0.5, rater 2 30/50 = 0.6, so pe = 0.5 * 0.6 + 0.5 * 0.4 = 0.50
     * and kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
     */
    @Test
    void cohensKappaMatchesAHandComputedTable() {
        assertEquals(0.40, Agreement.cohensKappa(new long[][]{{15, 10}, {5, 20}}).getAsDouble(), EPS);
    }

    /**
     * Same table as label arrays: 4 items (yes,yes), (yes,yes), (no,no), (yes,no). po = 3/4; rater 1 yes 3/4, rater 2
     * yes 2/4, pe = 3/4 * 2/4 + 1/4 * 2/4 = 1/2; kappa = (3/4 - 1/2) / (1/2) = 0.5.
     */
    @Test
    void cohensKappaFromLabelArrays() {
        boolean[] a = {true, true, false, true};
        boolean[] b = {true, true, false, false};
        assertEquals(0.5, Agreement.cohensKappa(a, b).getAsDouble(), EPS);
    }

    @Test
    void kappaIsUndefinedWhenEveryoneUsesOneCategory() {
        assertTrue(Agreement.cohensKappa(new boolean[]{true, true}, new boolean[]{true, true}).isEmpty());
        assertTrue(Agreement.fleissKappa(new long[][]{{0, 3}, {0, 3}}).isEmpty());
    }

    /**
     * Krippendorff's alpha, nominal, units (1,1), (1,1), (0,0), (1,0): n = 8 values, five 1s and three 0s. Observed
     * disagreement sum = 2 (the last unit: 1*1/1 + 1*1/1); expected = (5*3 + 3*5) / 7 = 30/7; alpha = 1 - 2 / (30/7) =
     * 1 - 14/30 = 0.5333. Percent agreement: 6 agreeing ordered pairs of 8 = 0.75.
     */
    @Test
    void krippendorffAlphaAndPercentAgreementMatchHandComputedValues() {
        List<long[]> units = List.of(new long[]{0, 2}, new long[]{0, 2}, new long[]{2, 0},
                new long[]{1, 1});
        assertEquals(1 - 14.0 / 30, Agreement.krippendorffAlpha(units).getAsDouble(), EPS);
        assertEquals(0.75, Agreement.percentAgreement(units).getAsDouble(), EPS);
    }

    @Test
    void reportPicksCohenForTwoRatersFleissForAFixedCountAndAlphaOtherwise() {
        List<RatedItem> two = List.of(item("t1", "ann", true, "bob", true), item("t2", "ann", true, "bob", true),
                item("t3", "ann", false, "bob", false), item("t4", "ann", true, "bob", false));
        AgreementReport cohen = AgreementCalculator.report(two);
        assertEquals(AgreementReport.Method.COHENS_KAPPA, cohen.method());
        assertEquals(0.5, cohen.kappa(), EPS);
        assertEquals(0.75, cohen.percentAgreement(), EPS);
        assertEquals(1, cohen.pairs().size());
        assertEquals("ann", cohen.pairs().get(0).a());
        assertEquals(0.5, cohen.pairs().get(0).cohensKappa(), EPS);

        // Three raters, two per item, rotating: Fleiss over counts {0,2},{0,2},{2,0},{1,1}: P-bar = 3/4, p1 = 5/8,
        // pe = 25/64 + 9/64 = 34/64; kappa = (48/64 - 34/64) / (30/64) = 14/30.
        List<RatedItem> rotating = List.of(item("t1", "ann", true, "bob", true), item("t2", "bob", true, "cy", true),
                item("t3", "ann", false, "cy", false), item("t4", "ann", true, "bob", false));
        AgreementReport fleiss = AgreementCalculator.report(rotating);
        assertEquals(AgreementReport.Method.FLEISS_KAPPA, fleiss.method());
        assertEquals(14.0 / 30, fleiss.kappa(), EPS);
        assertEquals(3, fleiss.raterCount());

        List<RatedItem> varying = List.of(item("t1", "ann", true, "bob", true),
                new RatedItem("t2", Map.of("ann", true, "bob", false, "cy", true)),
                item("t3", "ann", false, "cy", false));
        assertEquals(AgreementReport.Method.KRIPPENDORFF_ALPHA, AgreementCalculator.report(varying).method());
    }

    @Test
    void raterAgainstOthersIgnoresTiesAndCountsOverlap() {
        List<RatedItem> items = List.of(item("t1", "ann", true, "bob", true), item("t2", "ann", false, "bob", true),
                new RatedItem("t3", Map.of("ann", true)));
        var agreement = AgreementCalculator.raterAgainstOthers("ann", items);
        assertEquals(2, agreement.overlapped());
        assertEquals(0.5, agreement.agreementWithOthers(), EPS);
        // ann (1,0) vs others (1,1): pe = 1/2 * 1 + 1/2 * 0 = 1/2, po = 1/2, kappa 0.
        assertEquals(0.0, agreement.cohensKappaWithOthers(), EPS);
        assertNull(AgreementCalculator.raterAgainstOthers("cy", items).agreementWithOthers());
    }

    private static RatedItem item(String id, String r1, boolean l1, String r2, boolean l2) {
        return new RatedItem(id, Map.of(r1, l1, r2, l2));
    }
}
