package io.copeplatform.labeling.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * Precision, recall, F1 and accuracy of binary predictions against gold labels (positive class = "1"), with the
 * conventions of {@code cope.labeling.v1.BinaryClassificationMetrics}: a ratio whose denominator is 0 is 0.
 */
public record BinaryMetrics(double threshold, long truePositives, long falsePositives, long trueNegatives,
        long falseNegatives) {

    /** One scored prediction: the labeler's label, its P("1") (null when none) and the gold label. */
    public record Prediction(boolean label, Double score, boolean gold) {
    }

    public static BinaryMetrics of(double threshold, long tp, long fp, long tn, long fn) {
        return new BinaryMetrics(threshold, tp, fp, tn, fn);
    }

    /** Metrics of the labels as given (or of scores at {@code threshold} when every prediction has a score). */
    public static BinaryMetrics at(double threshold, List<Prediction> predictions, boolean useScores) {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        for (Prediction p : predictions) {
            boolean predicted = useScores ? p.score() >= threshold : p.label();
            if (predicted && p.gold()) {
                tp++;
            } else if (predicted) {
                fp++;
            } else if (p.gold()) {
                fn++;
            } else {
                tn++;
            }
        }
        return new BinaryMetrics(threshold, tp, fp, tn, fn);
    }

    /** Metrics at each threshold; empty when some prediction has no score. */
    public static List<BinaryMetrics> sweep(List<Double> thresholds, List<Prediction> predictions) {
        List<BinaryMetrics> result = new ArrayList<>();
        if (predictions.stream().anyMatch(p -> p.score() == null)) {
            return result;
        }
        for (double t : thresholds.stream().sorted().toList()) {
            result.add(at(t, predictions, true));
        }
        return result;
    }

    public long total() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }

    public double precision() {
        long predictedPositive = truePositives + falsePositives;
        return predictedPositive == 0 ? 0 : (double) truePositives / predictedPositive;
    }

    public double recall() {
        long goldPositive = truePositives + falseNegatives;
        return goldPositive == 0 ? 0 : (double) truePositives / goldPositive;
    }

    public double f1() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public double accuracy() {
        long n = total();
        return n == 0 ? 0 : (double) (truePositives + trueNegatives) / n;
    }
}
