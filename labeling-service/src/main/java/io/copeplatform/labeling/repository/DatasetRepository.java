package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.copeplatform.labeling.domain.Dataset;
import io.copeplatform.labeling.domain.DatasetItem;

/** SQL of datasets and their items. */
@ApplicationScoped
public class DatasetRepository {

    private static final String DATASET_COLUMNS = "d.id, d.display_name, d.description, d.creator, d.create_time, "
            + "d.update_time, (SELECT count(*) FROM labeling.dataset_items i WHERE i.dataset_id = d.id), "
            + "(SELECT count(*) FROM labeling.dataset_items i WHERE i.dataset_id = d.id "
            + "AND i.expected_label IS NOT NULL)";

    /** Inserts a dataset; false when the id is taken. */
    public boolean insert(Connection c, Dataset dataset) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.datasets (id, display_name, description, "
                + "creator, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            s.setString(1, dataset.id());
            s.setString(2, dataset.displayName());
            s.setString(3, dataset.description());
            s.setString(4, dataset.creator());
            s.setTimestamp(5, Timestamp.from(dataset.createTime()));
            s.setTimestamp(6, Timestamp.from(dataset.updateTime()));
            return s.executeUpdate() == 1;
        }
    }

    public Optional<Dataset> find(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + DATASET_COLUMNS
                + " FROM labeling.datasets d WHERE d.id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(dataset(r)) : Optional.empty();
            }
        }
    }

    /** Locks the dataset row so that concurrent imports count items one at a time. */
    public boolean lock(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM labeling.datasets WHERE id = ? FOR UPDATE")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** Datasets with id greater than {@code after}, by id. */
    public List<Dataset> list(Connection c, String after, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + DATASET_COLUMNS
                + " FROM labeling.datasets d WHERE d.id > ? ORDER BY d.id LIMIT ?")) {
            s.setString(1, after);
            s.setInt(2, limit);
            List<Dataset> result = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(dataset(r));
                }
            }
            return result;
        }
    }

    public long countItems(Connection c, String datasetId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM labeling.dataset_items WHERE dataset_id = ?")) {
            s.setString(1, datasetId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Inserts an item unless one with the same content hash exists; true when inserted. */
    public boolean insertItem(Connection c, DatasetItem item) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO labeling.dataset_items (dataset_id, id, text, "
                + "content_sha256, external_id, expected_label, create_time) VALUES (?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (dataset_id, content_sha256) DO NOTHING")) {
            s.setString(1, item.datasetId());
            s.setString(2, item.id());
            s.setString(3, item.text());
            s.setString(4, item.contentSha256());
            s.setString(5, item.externalId());
            if (item.expectedLabel() == null) {
                s.setNull(6, Types.BOOLEAN);
            } else {
                s.setBoolean(6, item.expectedLabel());
            }
            s.setTimestamp(7, Timestamp.from(item.createTime()));
            return s.executeUpdate() == 1;
        }
    }

    public void touch(Connection c, String datasetId, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE labeling.datasets SET update_time = ? WHERE id = ?")) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setString(2, datasetId);
            s.executeUpdate();
        }
    }

    /** Items after import position {@code afterSeq}, in import order; the position is the page cursor. */
    public List<Positioned> items(Connection c, String datasetId, long afterSeq, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT seq, dataset_id, id, text, content_sha256, "
                + "external_id, expected_label, create_time FROM labeling.dataset_items WHERE dataset_id = ? "
                + "AND seq > ? ORDER BY seq LIMIT ?")) {
            s.setString(1, datasetId);
            s.setLong(2, afterSeq);
            s.setInt(3, limit);
            List<Positioned> result = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    result.add(new Positioned(r.getLong(1), item(r, 2)));
                }
            }
            return result;
        }
    }

    /** An item with its import position. */
    public record Positioned(long seq, DatasetItem item) {
    }

    static DatasetItem item(ResultSet r, int from) throws SQLException {
        boolean label = r.getBoolean(from + 5);
        Boolean expected = r.wasNull() ? null : label;
        return new DatasetItem(r.getString(from), r.getString(from + 1), r.getString(from + 2),
                r.getString(from + 3), r.getString(from + 4), expected, r.getTimestamp(from + 6).toInstant());
    }

    private static Dataset dataset(ResultSet r) throws SQLException {
        return new Dataset(r.getString(1), r.getString(2), r.getString(3), r.getLong(7), r.getLong(8),
                r.getString(4), r.getTimestamp(5).toInstant(), r.getTimestamp(6).toInstant());
    }
}
