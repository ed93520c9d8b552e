package io.copeplatform.review.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;

/** Computes an {@link AgreementReport} from rated items, and one rater's agreement with the others. */
public final class AgreementCalculator {

    private AgreementCalculator() {
    }

    /** Agreement of a job: only items with at least two ratings count. */
    public static AgreementReport report(List<RatedItem> items) {
        List<RatedItem> shared = items.stream().filter(i -> i.labels().size() >= 2).toList();
        TreeSet<String> raters = new TreeSet<>();
        items.forEach(i -> raters.addAll(i.labels().keySet()));
        List<long[]> counts = new ArrayList<>();
        long ratings = 0;
        TreeSet<Integer> sizes = new TreeSet<>();
        TreeSet<String> sharedRaters = new TreeSet<>();
        for (RatedItem item : shared) {
            long ones = item.labels().values().stream().filter(b -> b).count();
            counts.add(new long[]{item.labels().size() - ones, ones});
            ratings += item.labels().size();
            sizes.add(item.labels().size());
            sharedRaters.addAll(item.labels().keySet());
        }
        AgreementReport.Method method;
        OptionalDouble kappa;
        if (shared.isEmpty()) {
            method = AgreementReport.Method.NONE;
            kappa = OptionalDouble.empty();
        } else if (sizes.size() == 1 && sizes.first() == 2 && sharedRaters.size() == 2) {
            method = AgreementReport.Method.COHENS_KAPPA;
            kappa = pairKappa(shared, sharedRaters.first(), sharedRaters.last());
        } else if (sizes.size() == 1) {
            method = AgreementReport.Method.FLEISS_KAPPA;
            kappa = Agreement.fleissKappa(counts.toArray(long[][]::new));
        } else {
            method = AgreementReport.Method.KRIPPENDORFF_ALPHA;
            kappa = Agreement.krippendorffAlpha(counts);
        }
        return new AgreementReport(method, raters.size(), shared.size(), ratings,
                boxed(Agreement.percentAgreement(counts)), boxed(kappa), pairs(shared));
    }

    /** Agreement of every pair of raters who rated at least one item in common, ordered by (a, b). */
    static List<AgreementReport.Pair> pairs(List<RatedItem> items) {
        Map<String, List<boolean[]>> byPair = new TreeMap<>();
        for (RatedItem item : items) {
            List<String> names = new ArrayList<>(new TreeSet<>(item.labels().keySet()));
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    byPair.computeIfAbsent(names.get(i) + "\u0000" + names.get(j), k -> new ArrayList<>())
                            .add(new boolean[]{item.labels().get(names.get(i)), item.labels().get(names.get(j))});
                }
            }
        }
        List<AgreementReport.Pair> out = new ArrayList<>();
        byPair.forEach((key, labels) -> {
            String[] names = key.split("\u0000");
            boolean[] a = new boolean[labels.size()];
            boolean[] b = new boolean[labels.size()];
            long same = 0;
            for (int i = 0; i < labels.size(); i++) {
                a[i] = labels.get(i)[0];
                b[i] = labels.get(i)[1];
                same += a[i] == b[i] ? 1 : 0;
            }
            out.add(new AgreementReport.Pair(names[0], names[1], labels.size(), same / (double) labels.size(),
                    boxed(Agreement.cohensKappa(a, b))));
        });
        return out;
    }

    /** One rater against the others' majority label on shared items (ties left out). */
    public record RaterAgreement(long overlapped, Double agreementWithOthers, Double cohensKappaWithOthers) {
    }

    public static RaterAgreement raterAgainstOthers(String rater, List<RatedItem> items) {
        long overlapped = 0;
        List<boolean[]> comparable = new ArrayList<>();
        for (RatedItem item : items) {
            Boolean own = item.labels().get(rater);
            if (own == null || item.labels().size() < 2) {
                continue;
            }
            overlapped++;
            long ones = item.labels().entrySet().stream().filter(e -> !e.getKey().equals(rater) && e.getValue())
                    .count();
            long zeros = item.labels().size() - 1 - ones;
            if (ones != zeros) {
                comparable.add(new boolean[]{own, ones > zeros});
            }
        }
        if (comparable.isEmpty()) {
            return new RaterAgreement(overlapped, null, null);
        }
        boolean[] mine = new boolean[comparable.size()];
        boolean[] theirs = new boolean[comparable.size()];
        long same = 0;
        for (int i = 0; i < comparable.size(); i++) {
            mine[i] = comparable.get(i)[0];
            theirs[i] = comparable.get(i)[1];
            same += mine[i] == theirs[i] ? 1 : 0;
        }
        return new RaterAgreement(overlapped, same / (double) comparable.size(),
                boxed(Agreement.cohensKappa(mine, theirs)));
    }

    private static OptionalDouble pairKappa(List<RatedItem> items, String a, String b) {
        boolean[] x = new boolean[items.size()];
        boolean[] y = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            x[i] = items.get(i).labels().get(a);
            y[i] = items.get(i).labels().get(b);
        }
        return Agreement.cohensKappa(x, y);
    }

    private static Double boxed(OptionalDouble value) {
        return value.isPresent() ? value.getAsDouble() : null;
    }
}
