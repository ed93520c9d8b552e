package io.copeplatform.registry.repository;

import java.time.OffsetDateTime;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The hot path of the registry (inference-service calls it for every policy reference it has not cached): answered from
 * this replica's {@link ResolutionCache} when it can be, otherwise by ONE prepared, primary-key-indexed query on the
 * reactive pool, no ORM session. A LEFT JOIN lets the caller tell a missing policy from a missing version or an unset
 * alias without a second round trip.
 */
@ApplicationScoped
public class PolicyResolver {

    /** Selector kinds of {@code $2}. */
    public enum Selector {
        NUMBER, LIVE, LATEST
    }

    static final String RESOLVE_SQL = """
            SELECT p.live_version, p.live_threshold, p.latest_version,
                   v.version, v.text, v.sha256, v.state, v.create_time
              FROM registry.policies p
              LEFT JOIN registry.policy_versions v
                ON v.policy_id = p.id
               AND v.version = CASE $2 WHEN 'LIVE' THEN p.live_version
                                       WHEN 'LATEST' THEN p.latest_version
                                       ELSE $3 END
             WHERE p.id = $1 AND p.delete_time IS NULL
            """;

    private final Pool pool;
    private final ResolutionCache cache;

    public PolicyResolver(Pool pool, ResolutionCache cache) {
        this.pool = pool;
        this.cache = cache;
    }

    /** The row for (policy, selector); null when the policy does not exist or is deleted. */
    public Uni<Resolution> resolve(String policyId, Selector selector, int number) {
        return cache.get(new ResolutionCache.Key(policyId, selector, number), () -> query(policyId, selector, number));
    }

    /** {@link #resolve} without the cache: always the query. */
    public Uni<Resolution> query(String policyId, Selector selector, int number) {
        return pool.preparedQuery(RESOLVE_SQL).execute(Tuple.of(policyId, selector.name(), number))
                .map(PolicyResolver::toResolution);
    }

    private static Resolution toResolution(RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        Integer version = row.getInteger("version");
        return new Resolution(row.getInteger("live_version"), row.getDouble("live_threshold"),
                row.getInteger("latest_version"), version, row.getString("text"), row.getString("sha256"),
                row.getString("state"), row.getOffsetDateTime("create_time"));
    }

    /** What the query found; {@code version} is null when the selected version does not exist. */
    public record Resolution(Integer liveVersion, Double liveThreshold, int latestVersion, Integer version,
            String text, String sha256, String state, OffsetDateTime createTime) {
    }
}
