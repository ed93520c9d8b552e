package io.copeplatform.review.stats;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Inter-rater agreement statistics over nominal categories, in plain Java (no framework, no I/O). Every statistic is
 * empty when undefined (e.g. chance agreement of 1: all ratings in one category).
 */
public final class Agreement {

    private Agreement() {
    }

    /**
     * Cohen's kappa of two raters from their contingency table: {@code table[i][j]} = items rater 1 put in category i
     * and rater 2 in category j. {@code kappa = (po - pe) / (1 - pe)}.
     */
    public static OptionalDouble cohensKappa(long[][] table) {
        int k = table.length;
        double n = 0;
        double[] rows = new double[k];
        double[] cols = new double[k];
        double diagonal = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                n += table[i][j];
                rows[i] += table[i][j];
                cols[j] += table[i][j];
            }
            diagonal += table[i][i];
        }
        if (n == 0) {
            return OptionalDouble.empty();
        }
        double po = diagonal / n;
        double pe = 0;
        for (int i = 0; i < k; i++) {
            pe += (rows[i] / n) * (cols[i] / n);
        }
        return pe >= 1 ? OptionalDouble.empty() : OptionalDouble.of((po - pe) / (1 - pe));
    }

    /** Cohen's kappa of two raters' binary labels on the same items ({@code a[i]}, {@code b[i]} rate item i). */
    public static OptionalDouble cohensKappa(boolean[] a, boolean[] b) {
        long[][] table = new long[2][2];
        for (int i = 0; i < a.length; i++) {
            table[a[i] ? 1 : 0][b[i] ? 1 : 0]++;
        }
        return cohensKappa(table);
    }

    /**
     * Fleiss' kappa: {@code counts[i][j]} = raters who put subject i in category j; every subject has the same number
     * of ratings n (at least 2). {@code kappa = (P - Pe) / (1 - Pe)} (Fleiss 1971).
     */
    public static OptionalDouble fleissKappa(long[][] counts) {
        if (counts.length == 0) {
            return OptionalDouble.empty();
        }
        int categories = counts[0].length;
        long n = 0;
        for (long c : counts[0]) {
            n += c;
        }
        if (n < 2) {
            return OptionalDouble.empty();
        }
        double[] p = new double[categories];
        double pBar = 0;
        for (long[] subject : counts) {
            long total = 0;
            double agreeing = 0;
            for (int j = 0; j < categories; j++) {
                total += subject[j];
                agreeing += subject[j] * (subject[j] - 1.0);
                p[j] += subject[j];
            }
            if (total != n) {
                throw new IllegalArgumentException("Fleiss' kappa needs the same number of ratings per subject");
            }
            pBar += agreeing / (n * (n - 1.0));
        }
        pBar /= counts.length;
        double pe = 0;
        for (int j = 0; j < categories; j++) {
            double share = p[j] / (counts.length * (double) n);
            pe += share * share;
        }
        return pe >= 1 ? OptionalDouble.empty() : OptionalDouble.of((pBar - pe) / (1 - pe));
    }

    /**
     * Krippendorff's alpha for nominal data with any number of ratings per unit: {@code counts.get(u)[c]} = ratings of
     * unit u in category c; units with fewer than two ratings are not pairable and ignored. {@code alpha = 1 - Do/De}.
     */
    public static OptionalDouble krippendorffAlpha(List<long[]> counts) {
        if (counts.isEmpty()) {
            return OptionalDouble.empty();
        }
        int categories = counts.get(0).length;
        double[] totals = new double[categories];
        double n = 0;
        double observed = 0;
        for (long[] unit : counts) {
            long m = 0;
            for (long c : unit) {
                m += c;
            }
            if (m < 2) {
                continue;
            }
            for (int c = 0; c < categories; c++) {
                observed += unit[c] * (double) (m - unit[c]) / (m - 1.0);
                totals[c] += unit[c];
            }
            n += m;
        }
        if (n < 2) {
            return OptionalDouble.empty();
        }
        double expected = 0;
        for (int c = 0; c < categories; c++) {
            expected += totals[c] * (n - totals[c]);
        }
        expected /= (n - 1.0);
        return expected == 0 ? OptionalDouble.empty() : OptionalDouble.of(1 - observed / expected);
    }

    /** Share of agreeing rating pairs within units: sum n_uc(n_uc - 1) / sum m_u(m_u - 1); empty without pairs. */
    public static OptionalDouble percentAgreement(List<long[]> counts) {
        double agreeing = 0;
        double pairs = 0;
        for (long[] unit : counts) {
            long m = 0;
            for (long c : unit) {
                m += c;
                agreeing += c * (c - 1.0);
            }
            pairs += m * (m - 1.0);
        }
        return pairs == 0 ? OptionalDouble.empty() : OptionalDouble.of(agreeing / pairs);
    }
}
