package io.copeplatform.labeling.domain;

import java.time.Instant;

/** One content item; {@code expectedLabel} is the gold label when the importer knew it (null otherwise). */
public record DatasetItem(String datasetId, String id, String text, String contentSha256, String externalId,
        Boolean expectedLabel, Instant createTime) {

    public String name() {
        return "datasets/" + datasetId + "/items/" + id;
    }
}
