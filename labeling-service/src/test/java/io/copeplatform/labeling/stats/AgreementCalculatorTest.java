package io.copeplatform.labeling.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.copeplatform.labeling.domain.AgreementStats;

class AgreementCalculatorTest {

    /**
     * By hand: n = 50, po = (20 + 15) / 50 = 0.7; P(A=1) = 25/50 = 0.5, P(B=1) = 30/50 = 0.6; pe = 0.5*0.6 + 0.5*0.4 =
     * 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4; SE = sqrt(0.7*0.3 / (50 * 0.25)) = sqrt(0.0168) = 0.129615; 95% CI =
     * 0.4 -+ 1.959964 * 0.129615 = [0.145960, 0.654040].
     */
    @Test
    void kappaAndItsIntervalMatchTheHandComputedValues() {
        AgreementStats stats = AgreementCalculator.compute(20, 5, 10, 15);
        assertEquals(50, stats.sampleSize());
        assertEquals(0.7, stats.percentAgreement(), 1e-12);
        assertEquals(0.4, stats.cohensKappa(), 1e-12);
        assertEquals(0.145960, stats.kappaLower(), 1e-5);
        assertEquals(0.654040, stats.kappaUpper(), 1e-5);
    }

    @Test
    void perfectAgreementOnBothLabelsHasKappaOne() {
        AgreementStats stats = AgreementCalculator.compute(6, 0, 0, 4);
        assertEquals(1.0, stats.percentAgreement());
        assertEquals(1.0, stats.cohensKappa(), 1e-12);
        assertEquals(1.0, stats.kappaLower(), 1e-12);
    }

    @Test
    void kappaIsUndefinedWhenBothWordingsAlwaysGiveTheSameSingleLabel() {
        AgreementStats stats = AgreementCalculator.compute(0, 0, 0, 9);
        assertEquals(1.0, stats.percentAgreement());
        assertNull(stats.cohensKappa());
        assertNull(stats.kappaLower());
    }

    @Test
    void noItemsNoStatistics() {
        assertNull(AgreementCalculator.compute(0, 0, 0, 0));
    }

    @Test
    void systematicDisagreementGivesNegativeKappa() {
        AgreementStats stats = AgreementCalculator.compute(0, 5, 5, 0);
        assertEquals(0.0, stats.percentAgreement());
        assertEquals(-1.0, stats.cohensKappa(), 1e-12);
    }
}
