package io.copeplatform.labeling.rest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.copeplatform.api.labeling.v1.Dataset;
import io.copeplatform.labeling.domain.ErrorReason;
import io.copeplatform.labeling.domain.ImportRow;
import io.copeplatform.labeling.domain.LabelingException;
import io.copeplatform.labeling.grpc.Actors;
import io.copeplatform.labeling.mapping.LabelingProtos;
import io.copeplatform.labeling.service.DatasetService;
import io.copeplatform.labeling.service.ImportFormats;

/**
 * REST side of datasets: create, get, and the bulk upload of items as JSONL ({@code application/x-ndjson},
 * {@code application/jsonl}) or CSV ({@code text/csv}). Bodies and answers are the v1 messages as proto3 JSON; errors
 * are {@code application/problem+json}.
 */
@Path("/v1/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    /** Rows stored per transaction during an upload. */
    static final int CHUNK = 500;

    private final DatasetService datasets;

    public DatasetResource(DatasetService datasets) {
        this.datasets = datasets;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public String create(@QueryParam("dataset_id") String datasetId, @HeaderParam("X-Cope-Actor") String actor,
            String body) {
        Dataset dataset = ProtoJson.parse(body, Dataset.newBuilder()).build();
        return ProtoJson.print(LabelingProtos.dataset(datasets.create(datasetId, dataset.getDisplayName(),
                dataset.getDescription(), Actors.sanitize(actor))));
    }

    @GET
    @Path("/{dataset}")
    public String get(@PathParam("dataset") String dataset) {
        return ProtoJson.print(LabelingProtos.dataset(datasets.get(dataset)));
    }

    @POST
    @Path("/{dataset}/items")
    @Consumes({"application/x-ndjson", "application/jsonl", "text/csv"})
    public String upload(@PathParam("dataset") String dataset, @HeaderParam("Content-Type") String contentType,
            InputStream body) throws IOException {
        DatasetService.ImportSession session = datasets.startImport(dataset);
        List<ImportRow> chunk = new ArrayList<>(CHUNK);
        try (Reader reader = new InputStreamReader(body, StandardCharsets.UTF_8)) {
            java.util.function.Consumer<ImportRow> sink = row -> {
                chunk.add(row);
                if (chunk.size() == CHUNK) {
                    session.accept(List.copyOf(chunk));
                    chunk.clear();
                }
            };
            if (contentType != null && contentType.toLowerCase().startsWith("text/csv")) {
                ImportFormats.csv(reader, sink);
            } else {
                ImportFormats.jsonl(reader, sink);
            }
        } catch (UncheckedIOException e) {
            throw LabelingException.invalid(ErrorReason.INVALID_ARGUMENT, "body", "could not be read: " + e);
        }
        session.accept(chunk);
        return ProtoJson.print(LabelingProtos.importResult(session.finish()));
    }
}
