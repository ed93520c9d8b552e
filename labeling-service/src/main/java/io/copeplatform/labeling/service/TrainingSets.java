package io.copeplatform.labeling.service;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.TrainingRow;
import io.copeplatform.labeling.domain.TrainingSet;
import io.copeplatform.labeling.repository.TrainingRowRepository;
import io.copeplatform.labeling.repository.Transactions;

/**
 * Contradictory-example training sets: gold-labeled (content, policy text) rows from reviews, agreements and
 * evaluations, each marked when the same content carries the opposite label under another policy text in the same
 * export (the pairs CoPE's training relies on), with counts per policy text.
 * <p>
 * The rows are read in one transaction and held in memory while pairs are found (fine for the hundreds of thousands of
 * rows a labeling project produces; a larger export would need a two-pass SQL form).
 */
@ApplicationScoped
public class TrainingSets {

    public static final Set<String> SOURCES = Set.of("HUMAN_REVIEW", "BINOCULAR_AGREEMENT", "DATASET_LABEL");
    static final Set<String> DEFAULT_SOURCES = Set.of("HUMAN_REVIEW", "DATASET_LABEL");

    private final Transactions tx;
    private final TrainingRowRepository rows;

    public TrainingSets(Transactions tx, TrainingRowRepository rows) {
        this.tx = tx;
        this.rows = rows;
    }

    /**
     * @param origins
     *            {@code binocularJobs/{job}} and {@code evaluations/{evaluation}} names; empty for all
     * @param sources
     *            source names; empty for HUMAN_REVIEW and DATASET_LABEL
     */
    public TrainingSet export(List<String> origins, Set<String> sources, boolean contradictoryOnly) {
        for (String origin : origins) {
            if (!origin.matches("(binocularJobs|evaluations)/[a-z][a-z0-9-]{0,62}")) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "origins",
                        "must be binocularJobs/{job} or evaluations/{evaluation}, got '" + origin + "'");
            }
        }
        Set<String> wanted = sources.isEmpty() ? DEFAULT_SOURCES : sources;
        Set<String> originFilter = new HashSet<>(origins);
        List<TrainingRow> all = tx.inTransaction(c -> {
            List<TrainingRow> result = new ArrayList<>();
            if (wanted.contains("HUMAN_REVIEW")) {
                result.addAll(rows.humanReview(c));
            }
            if (wanted.contains("BINOCULAR_AGREEMENT")) {
                result.addAll(rows.agreement(c));
            }
            if (wanted.contains("DATASET_LABEL")) {
                result.addAll(rows.datasetLabels(c));
            }
            return result;
        });
        List<TrainingRow> selected = all.stream()
                .filter(r -> originFilter.isEmpty() || originFilter.contains(r.origin())).toList();

        // content -> label -> policy texts carrying it
        Map<String, Map<Boolean, Set<String>>> byContent = new HashMap<>();
        for (TrainingRow r : selected) {
            byContent.computeIfAbsent(r.contentSha256(), k -> new HashMap<>())
                    .computeIfAbsent(r.label(), k -> new HashSet<>()).add(r.policyTextSha256());
        }
        Set<String> contradicted = new HashSet<>();
        byContent.forEach((content, labels) -> {
            Set<String> positive = labels.getOrDefault(true, Set.of());
            Set<String> negative = labels.getOrDefault(false, Set.of());
            boolean pair = positive.stream().anyMatch(p -> negative.stream().anyMatch(n -> !n.equals(p)));
            if (pair) {
                contradicted.add(content);
            }
        });
        List<TrainingRow> out = new ArrayList<>();
        for (TrainingRow r : selected) {
            TrainingRow row = contradicted.contains(r.contentSha256()) ? r.asContradictory() : r;
            if (!contradictoryOnly || row.contradictory()) {
                out.add(row);
            }
        }
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, String> versions = new HashMap<>();
        for (TrainingRow r : out) {
            String key = r.policyVersion() + "\n" + r.policyTextSha256();
            versions.put(key, r.policyVersion());
            long[] c = counts.computeIfAbsent(key, k -> new long[4]);
            c[0]++;
            c[r.label() ? 1 : 2]++;
            if (r.contradictory()) {
                c[3]++;
            }
        }
        List<TrainingSet.PolicyCount> policyCounts = counts.entrySet().stream()
                .sorted(Comparator.comparing(Map.Entry::getKey))
                .map(e -> new TrainingSet.PolicyCount(versions.get(e.getKey()),
                        e.getKey().substring(e.getKey().indexOf('\n') + 1), e.getValue()[0], e.getValue()[1],
                        e.getValue()[2], e.getValue()[3]))
                .toList();
        long pairs = out.stream().filter(TrainingRow::contradictory).map(TrainingRow::contentSha256).distinct()
                .count();
        return new TrainingSet(out, pairs, policyCounts);
    }
}
