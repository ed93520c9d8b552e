package io.copeplatform.labeling.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The lease columns ({@code lease_owner}, {@code lease_until}) of the work tables ({@code jobs}, {@code evaluations}):
 * one replica runs a row at a time; another takes it over only after the lease expired.
 */
public final class Leases {

    private final String table;

    Leases(String table) {
        this.table = "labeling." + table;
    }

    /** Leases to {@code owner} those of {@code ids} nobody else holds a live lease on, skipping locked rows. */
    public List<String> claim(Connection c, List<String> ids, String owner, Duration lease) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET lease_owner = ?, "
                + "lease_until = now() + make_interval(secs => ?) WHERE id IN (SELECT id FROM " + table
                + " WHERE id = ANY (?) AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < now()) "
                + "FOR UPDATE SKIP LOCKED) RETURNING id")) {
            s.setString(1, owner);
            s.setDouble(2, lease.toMillis() / 1000.0);
            s.setArray(3, c.createArrayOf("text", ids.toArray()));
            s.setString(4, owner);
            return ids(s);
        }
    }

    /** Extends {@code owner}'s leases on {@code ids}; returns the ids it still holds. */
    public List<String> renew(Connection c, List<String> ids, String owner, Duration lease) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET lease_until = now() "
                + "+ make_interval(secs => ?) WHERE id = ANY (?) AND lease_owner = ? RETURNING id")) {
            s.setDouble(1, lease.toMillis() / 1000.0);
            s.setArray(2, c.createArrayOf("text", ids.toArray()));
            s.setString(3, owner);
            return ids(s);
        }
    }

    /**
     * Whether {@code owner} holds a live lease on the row, which then stays locked until the transaction ends: no other
     * instance can claim it meanwhile (claims skip locked rows), so what the transaction writes is written by the lease
     * holder (a fence against a holder that stalled past its lease and has not noticed yet). The lock is FOR NO KEY
     * UPDATE: rows referencing this one (labels) can still be inserted.
     */
    public boolean holds(Connection c, String id, String owner) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM " + table + " WHERE id = ? AND lease_owner = ? "
                + "AND lease_until > clock_timestamp() FOR NO KEY UPDATE")) {
            s.setString(1, id);
            s.setString(2, owner);
            return !ids(s).isEmpty();
        }
    }

    /** The writes {@code owner} makes to row {@code id} while it holds the row's lease. */
    public LeaseFence fence(Transactions tx, String id, String owner) {
        return new LeaseFence(tx, this, id, owner);
    }

    /** Gives up {@code owner}'s lease on a row. */
    public void release(Connection c, String id, String owner) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE " + table + " SET lease_owner = NULL, "
                + "lease_until = NULL WHERE id = ? AND lease_owner = ?")) {
            s.setString(1, id);
            s.setString(2, owner);
            s.executeUpdate();
        }
    }

    private static List<String> ids(PreparedStatement s) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        }
        return ids;
    }
}
