package io.copeplatform.labeling.service;

import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.config.LabelingConfig;
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
 * Streamed: PostgreSQL selects the rows and finds the pairs, and the rows are read through a cursor one fetch
 * ({@code labeling.export-fetch-size}) at a time as the caller asks for them, so an export of any size needs bounded
 * memory here. The summary is counted first, in the same snapshot.
 */
@ApplicationScoped
public class TrainingSets {

    public static final Set<String> SOURCES = Set.of("HUMAN_REVIEW", "BINOCULAR_AGREEMENT", "DATASET_LABEL");
    static final Set<String> DEFAULT_SOURCES = Set.of("HUMAN_REVIEW", "DATASET_LABEL");

    private final TrainingRowRepository rows;
    private final LabelingConfig config;

    public TrainingSets(TrainingRowRepository rows, LabelingConfig config) {
        this.rows = rows;
        this.config = config;
    }

    /**
     * Opens an export; the caller reads it with {@link Export#next()} and must close it.
     *
     * @param origins
     *            {@code binocularJobs/{job}} and {@code evaluations/{evaluation}} names; empty for all
     * @param sources
     *            source names; empty for HUMAN_REVIEW and DATASET_LABEL
     */
    public Export open(List<String> origins, Set<String> sources, boolean contradictoryOnly) {
        for (String origin : origins) {
            if (!origin.matches("(binocularJobs|evaluations)/[a-z][a-z0-9-]{0,62}")) {
                throw LabelingException.invalid(ErrorReason.INVALID_REFERENCE, "origins",
                        "must be binocularJobs/{job} or evaluations/{evaluation}, got '" + origin + "'");
            }
        }
        Set<String> wanted = sources.isEmpty() ? DEFAULT_SOURCES : sources;
        try {
            return new Export(rows.open(wanted, new HashSet<>(origins), contradictoryOnly,
                    config.exportFetchSize()), config.exportFetchSize());
        } catch (SQLException e) {
            throw new Transactions.StorageException(e);
        }
    }

    /** An open export: the summary up front, then the rows one fetch at a time. */
    public static final class Export implements AutoCloseable {
        private final TrainingRowRepository.Export cursor;
        private final int fetchSize;

        Export(TrainingRowRepository.Export cursor, int fetchSize) {
            this.cursor = cursor;
            this.fetchSize = fetchSize;
        }

        public TrainingSet summary() {
            return cursor.summary();
        }

        /** The next rows (one fetch); empty when all were read. */
        public List<TrainingRow> next() {
            try {
                return cursor.next(fetchSize);
            } catch (SQLException e) {
                throw new Transactions.StorageException(e);
            }
        }

        @Override
        public void close() {
            cursor.close();
        }
    }
}
