package io.copeplatform.labeling.domain;

import java.time.Instant;

/** A named collection of content items, {@code datasets/{id}}. */
public record Dataset(String id, String displayName, String description, long itemCount, long labeledItemCount,
        String creator, Instant createTime, Instant updateTime) {
}
