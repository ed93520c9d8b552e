package io.copeplatform.labeling.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.config.LabelingConfig;
import io.copeplatform.labeling.domain.Dataset;
import io.copeplatform.labeling.domain.DatasetItem;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.Ids;
import io.copeplatform.labeling.domain.ImportResult;
import io.copeplatform.labeling.domain.ImportRow;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.Page;
import io.copeplatform.labeling.domain.RowError;
import io.copeplatform.labeling.domain.Sha256;
import io.copeplatform.labeling.repository.DatasetRepository;
import io.copeplatform.labeling.repository.Transactions;

/** Datasets: creation, import (validation, dedupe, limits) and listing. */
@ApplicationScoped
public class DatasetService {

    /** Most row errors an import reports (the rest are counted). */
    public static final int MAX_ROW_ERRORS = 1000;

    private final Transactions tx;
    private final DatasetRepository datasets;
    private final LabelingConfig config;
    private final Clock clock;

    public DatasetService(Transactions tx, DatasetRepository datasets, LabelingConfig config) {
        this.tx = tx;
        this.datasets = datasets;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    public Dataset create(String id, String displayName, String description, String creator) {
        Ids.requireSlug(id, "dataset_id");
        Instant now = clock.instant();
        Dataset dataset = new Dataset(id, blankTo(displayName, id), description == null ? "" : description, 0, 0,
                creator, now, now);
        return tx.inTransaction(c -> {
            if (!datasets.insert(c, dataset)) {
                throw new LabelingException(ErrorReason.DATASET_ALREADY_EXISTS, "Dataset " + id + " already exists",
                        Map.of("dataset", id), List.of());
            }
            return datasets.find(c, id).orElseThrow();
        });
    }

    public Dataset get(String id) {
        return tx.inTransaction(c -> datasets.find(c, id)).orElseThrow(() -> notFound(id));
    }

    public Page<Dataset> list(int pageSize, String pageToken) {
        String after = PageTokens.decode(pageToken, "datasets", "");
        int size = pageSize(pageSize);
        List<Dataset> page = tx.inTransaction(c -> datasets.list(c, after, size + 1));
        if (page.size() > size) {
            return new Page<>(page.subList(0, size), PageTokens.encode("datasets", page.get(size - 1).id()));
        }
        return new Page<>(page, "");
    }

    public Page<DatasetItem> listItems(String datasetId, int pageSize, String pageToken) {
        String scope = "items/" + datasetId;
        long after = PageTokens.decodeLong(pageToken, scope);
        int size = pageSize <= 0 ? 100 : Math.min(pageSize, 1000);
        List<DatasetRepository.Positioned> page = tx.inTransaction(c -> {
            if (datasets.find(c, datasetId).isEmpty()) {
                throw notFound(datasetId);
            }
            return datasets.items(c, datasetId, after, size + 1);
        });
        List<DatasetItem> items = page.stream().limit(size).map(DatasetRepository.Positioned::item).toList();
        return new Page<>(items, page.size() > size
                ? PageTokens.encode(scope, String.valueOf(page.get(size - 1).seq()))
                : "");
    }

    /** Starts an import into an existing dataset; rows are then fed in chunks (one transaction each). */
    public ImportSession startImport(String datasetId) {
        Dataset dataset = get(datasetId);
        if (dataset.itemCount() >= config.datasets().maxItems()) {
            throw new LabelingException(ErrorReason.DATASET_ITEM_LIMIT_REACHED, "Dataset " + datasetId
                    + " holds the maximum of " + config.datasets().maxItems() + " items", Map.of("dataset", datasetId),
                    List.of());
        }
        return new ImportSession(datasetId);
    }

    int pageSize(int requested) {
        return requested <= 0 ? config.defaultPageSize() : Math.min(requested, config.maxPageSize());
    }

    static LabelingException notFound(String id) {
        return new LabelingException(ErrorReason.DATASET_NOT_FOUND, "No dataset " + id, Map.of("dataset", id),
                List.of());
    }

    private static String blankTo(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * One import: validates each row, stores the good ones (deduplicated by content SHA-256, up to the dataset's item
     * limit) and remembers why the others were rejected. Not thread-safe: one stream feeds it.
     */
    public final class ImportSession {

        private final String datasetId;
        private long imported;
        private long duplicates;
        private long rejected;
        private final List<RowError> errors = new ArrayList<>();

        ImportSession(String datasetId) {
            this.datasetId = datasetId;
        }

        public String datasetId() {
            return datasetId;
        }

        /** Stores a chunk of rows in one transaction. */
        public void accept(List<ImportRow> rows) {
            if (rows.isEmpty()) {
                return;
            }
            Instant now = clock.instant();
            List<DatasetItem> valid = new ArrayList<>();
            List<ImportRow> validRows = new ArrayList<>();
            for (ImportRow row : rows) {
                RowError error = validate(row);
                if (error != null) {
                    reject(error);
                } else {
                    String sha = Sha256.hex(row.text());
                    valid.add(new DatasetItem(datasetId, sha.substring(0, 20), row.text(), sha, row.externalId(),
                            row.expectedLabel(), now));
                    validRows.add(row);
                }
            }
            if (valid.isEmpty()) {
                return;
            }
            long[] counts = tx.inTransaction(c -> {
                if (!datasets.lock(c, datasetId)) {
                    throw notFound(datasetId);
                }
                long count = datasets.countItems(c, datasetId);
                long added = 0;
                long dup = 0;
                List<RowError> overLimit = new ArrayList<>();
                for (int i = 0; i < valid.size(); i++) {
                    DatasetItem item = valid.get(i);
                    if (count >= config.datasets().maxItems()) {
                        ImportRow row = validRows.get(i);
                        overLimit.add(new RowError(row.row(), "DATASET_ITEM_LIMIT_REACHED",
                                "the dataset holds the maximum of " + config.datasets().maxItems() + " items",
                                row.externalId()));
                        continue;
                    }
                    if (datasets.insertItem(c, item)) {
                        added++;
                        count++;
                    } else {
                        dup++;
                    }
                }
                datasets.touch(c, datasetId, now);
                overLimit.forEach(ImportSession.this::reject);
                return new long[]{added, dup};
            });
            imported += counts[0];
            duplicates += counts[1];
        }

        public ImportResult finish() {
            return new ImportResult(get(datasetId), imported, duplicates, rejected, List.copyOf(errors),
                    rejected > errors.size());
        }

        private void reject(RowError error) {
            rejected++;
            if (errors.size() < MAX_ROW_ERRORS) {
                errors.add(error);
            }
        }

        private RowError validate(ImportRow row) {
            if (row.malformed() != null) {
                return new RowError(row.row(), "MALFORMED_ROW", row.malformed(), row.externalId());
            }
            if (row.invalidLabel() != null) {
                return new RowError(row.row(), "INVALID_LABEL",
                        "expected label must be 0, 1, true or false, got '" + row.invalidLabel() + "'",
                        row.externalId());
            }
            if (row.externalId().length() > config.datasets().maxExternalIdLength()) {
                return new RowError(row.row(), "EXTERNAL_ID_TOO_LONG", "external id is longer than "
                        + config.datasets().maxExternalIdLength() + " characters", "");
            }
            if (row.text() == null || row.text().isBlank()) {
                return new RowError(row.row(), "TEXT_EMPTY", "text is empty or blank", row.externalId());
            }
            int bytes = row.text().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > config.datasets().maxTextBytes()) {
                return new RowError(row.row(), "TEXT_TOO_LARGE", "text is " + bytes + " bytes, more than "
                        + config.datasets().maxTextBytes(), row.externalId());
            }
            return null;
        }
    }
}
