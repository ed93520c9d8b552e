package io.copeplatform.labeling.rest;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.domain.TrainingRow;
import io.copeplatform.labeling.domain.TrainingSet;
import io.copeplatform.labeling.mapping.EvaluationProtos;
import io.copeplatform.labeling.service.TrainingSets;

/**
 * {@code GET /v1/training-set}: the training set as JSONL, one {@code TrainingRow} per line with proto field names
 * ({@code content}, {@code policy_version}, {@code policy_text}, {@code label}, {@code source}, ...), so the file feeds
 * a trainer as is. The summary travels in headers ({@code X-Cope-Row-Count}, {@code X-Cope-Contradictory-Pair-Count});
 * the per-policy counts are in the gRPC summary.
 */
@Path("/v1/training-set")
public class TrainingSetResource {

    private static final JsonFormat.Printer ROW = JsonFormat.printer().preservingProtoFieldNames()
            .omittingInsignificantWhitespace();

    private final TrainingSets trainingSets;

    public TrainingSetResource(TrainingSets trainingSets) {
        this.trainingSets = trainingSets;
    }

    @GET
    public Response export(@QueryParam("origin") List<String> origins, @QueryParam("source") List<String> sources,
            @QueryParam("contradictory_only") @DefaultValue("false") boolean contradictoryOnly) {
        Set<String> sourceNames = new HashSet<>();
        for (String s : sources) {
            String name = s.toUpperCase(Locale.ROOT).replace("TRAINING_ROW_SOURCE_", "");
            if (!TrainingSets.SOURCES.contains(name)) {
                throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "source",
                        "must be one of " + TrainingSets.SOURCES + ", got '" + s + "'");
            }
            sourceNames.add(name);
        }
        TrainingSets.Export export = trainingSets.open(origins, sourceNames, contradictoryOnly);
        TrainingSet set = export.summary();
        // Written as it is read: one fetch of rows at a time; the cursor closes when the body ends (or the client
        // goes away and the write fails).
        StreamingOutput body = out -> {
            try (export) {
                for (List<TrainingRow> page = export.next(); !page.isEmpty(); page = export.next()) {
                    for (TrainingRow row : page) {
                        try {
                            out.write(ROW.print(EvaluationProtos.row(row)).getBytes(StandardCharsets.UTF_8));
                        } catch (InvalidProtocolBufferException e) {
                            throw new IllegalStateException(e);
                        }
                        out.write('\n');
                    }
                    out.flush();
                }
            }
        };
        return Response.ok(body, "application/x-ndjson")
                .header("X-Cope-Row-Count", set.rowCount())
                .header("X-Cope-Contradictory-Pair-Count", set.contradictoryPairCount())
                .build();
    }
}
