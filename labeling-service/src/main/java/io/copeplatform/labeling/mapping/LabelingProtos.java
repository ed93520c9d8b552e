package io.copeplatform.labeling.mapping;

import java.time.Duration;
import java.time.Instant;

import com.google.protobuf.Timestamp;

import io.copeplatform.api.labeling.v1.Dataset;
import io.copeplatform.api.labeling.v1.DatasetItem;
import io.copeplatform.api.labeling.v1.DatasetItemInput;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsResponse;
import io.copeplatform.api.labeling.v1.RowError;
import io.copeplatform.labeling.domain.ImportResult;
import io.copeplatform.labeling.domain.ImportRow;

/** Maps between generated proto messages and domain records, at the edge only. */
public final class LabelingProtos {

    private LabelingProtos() {
    }

    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
    }

    public static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static Duration duration(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    public static com.google.protobuf.Duration duration(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    public static Dataset dataset(io.copeplatform.labeling.domain.Dataset d) {
        return Dataset.newBuilder()
                .setName("datasets/" + d.id())
                .setDisplayName(d.displayName())
                .setDescription(d.description())
                .setItemCount(d.itemCount())
                .setLabeledItemCount(d.labeledItemCount())
                .setCreator(d.creator())
                .setCreateTime(timestamp(d.createTime()))
                .setUpdateTime(timestamp(d.updateTime()))
                .build();
    }

    public static DatasetItem item(io.copeplatform.labeling.domain.DatasetItem i) {
        DatasetItem.Builder b = DatasetItem.newBuilder()
                .setName(i.name())
                .setText(i.text())
                .setContentSha256(i.contentSha256())
                .setExternalId(i.externalId())
                .setCreateTime(timestamp(i.createTime()));
        if (i.expectedLabel() != null) {
            b.setExpectedLabel(i.expectedLabel());
        }
        return b.build();
    }

    public static ImportRow row(long number, DatasetItemInput input) {
        return ImportRow.of(number, input.getText(), input.getExternalId(),
                input.hasExpectedLabel() ? input.getExpectedLabel() : null);
    }

    public static ImportDatasetItemsResponse importResult(ImportResult r) {
        ImportDatasetItemsResponse.Builder b = ImportDatasetItemsResponse.newBuilder()
                .setDataset(dataset(r.dataset()))
                .setImportedCount(r.importedCount())
                .setDuplicateCount(r.duplicateCount())
                .setRejectedCount(r.rejectedCount())
                .setRowErrorsTruncated(r.rowErrorsTruncated());
        for (io.copeplatform.labeling.domain.RowError e : r.rowErrors()) {
            b.addRowErrors(RowError.newBuilder().setRow(e.row()).setReason(e.reason()).setMessage(e.message())
                    .setExternalId(e.externalId()));
        }
        return b.build();
    }
}
