package io.copeplatform.labeling.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {

    /** TP 8, FP 2, TN 6, FN 4: precision 0.8, recall 8/12, F1 2*0.8*0.6667/1.4667 = 0.727273, accuracy 0.7. */
    @Test
    void metricsOfAKnownConfusionMatrix() {
        BinaryMetrics m = BinaryMetrics.of(0.5, 8, 2, 6, 4);
        assertEquals(0.8, m.precision(), 1e-12);
        assertEquals(8.0 / 12, m.recall(), 1e-12);
        assertEquals(0.727273, m.f1(), 1e-6);
        assertEquals(0.7, m.accuracy(), 1e-12);
    }

    @Test
    void emptyDenominatorsGiveZero() {
        BinaryMetrics m = BinaryMetrics.of(0.5, 0, 0, 5, 0);
        assertEquals(0, m.precision());
        assertEquals(0, m.recall());
        assertEquals(0, m.f1());
        assertEquals(1.0, m.accuracy());
    }

    @Test
    void thresholdSweepMovesPredictionsByScore() {
        List<BinaryMetrics.Prediction> predictions = new ArrayList<>();
        predictions.add(new BinaryMetrics.Prediction(true, 0.95, true));
        predictions.add(new BinaryMetrics.Prediction(true, 0.55, false));
        predictions.add(new BinaryMetrics.Prediction(false, 0.35, true));
        predictions.add(new BinaryMetrics.Prediction(false, 0.05, false));
        List<BinaryMetrics> sweep = BinaryMetrics.sweep(List.of(0.3, 0.1, 0.6), predictions);
        assertEquals(List.of(0.1, 0.3, 0.6), sweep.stream().map(BinaryMetrics::threshold).toList());
        // at 0.1: three predicted positive (TP 2, FP 1), one TN
        assertEquals(2, sweep.get(0).truePositives());
        assertEquals(1, sweep.get(0).falsePositives());
        // at 0.6: only the 0.95 item
        assertEquals(1, sweep.get(2).truePositives());
        assertEquals(1, sweep.get(2).falseNegatives());
        assertTrue(BinaryMetrics.sweep(List.of(0.5), List.of(new BinaryMetrics.Prediction(true, null, true)))
                .isEmpty());
    }
}
