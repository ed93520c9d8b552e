package io.copeplatform.labeling;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.copeplatform.api.labeling.v1.CreateDatasetRequest;
import io.copeplatform.api.labeling.v1.Dataset;
import io.copeplatform.api.labeling.v1.DatasetItem;
import io.copeplatform.api.labeling.v1.DatasetItemInput;
import io.copeplatform.api.labeling.v1.GetDatasetRequest;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsRequest;
import io.copeplatform.api.labeling.v1.ImportDatasetItemsResponse;
import io.copeplatform.api.labeling.v1.ListDatasetItemsRequest;
import io.copeplatform.api.labeling.v1.ListDatasetItemsResponse;
import io.copeplatform.api.labeling.v1.ListDatasetsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class DatasetImportTest {

    private static LabelingClient client;

    @BeforeAll
    static void connect() {
        client = new LabelingClient();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        client.close();
    }

    @Test
    void grpcImportKeepsGoodRowsDedupesByContentAndReportsBadRowsWithTheirNumbers() throws Exception {
        create("grpc-import");
        ImportDatasetItemsResponse response = importItems(List.of(
                ImportDatasetItemsRequest.newBuilder().setDataset("datasets/grpc-import")
                        .addItems(input("buy cheap pills", "a", true))
                        .addItems(input("   ", "blank", null))
                        .build(),
                ImportDatasetItemsRequest.newBuilder()
                        .addItems(input("hello friend", "b", false))
                        .addItems(input("buy cheap pills", "dup", null))
                        .addItems(input("x".repeat(70_000), "big", null))
                        .addItems(input("fine", "i".repeat(300), null))
                        .build()));
        assertEquals(2, response.getImportedCount());
        assertEquals(1, response.getDuplicateCount());
        assertEquals(3, response.getRejectedCount());
        assertEquals(List.of("2:TEXT_EMPTY", "5:TEXT_TOO_LARGE", "6:EXTERNAL_ID_TOO_LONG"),
                response.getRowErrorsList().stream().map(e -> e.getRow() + ":" + e.getReason()).toList());
        assertEquals("blank", response.getRowErrors(0).getExternalId());
        assertEquals(2, response.getDataset().getItemCount());
        assertEquals(2, response.getDataset().getLabeledItemCount());

        ListDatasetItemsResponse page1 = client.blocking().listDatasetItems(ListDatasetItemsRequest.newBuilder()
                .setParent("datasets/grpc-import").setPageSize(1).build());
        assertEquals(1, page1.getDatasetItemsCount());
        DatasetItem first = page1.getDatasetItems(0);
        assertEquals("buy cheap pills", first.getText());
        assertEquals("a", first.getExternalId());
        assertTrue(first.getExpectedLabel());
        assertEquals(64, first.getContentSha256().length());
        ListDatasetItemsResponse page2 = client.blocking().listDatasetItems(ListDatasetItemsRequest.newBuilder()
                .setParent("datasets/grpc-import").setPageSize(1).setPageToken(page1.getNextPageToken()).build());
        assertEquals("hello friend", page2.getDatasetItems(0).getText());
        assertFalse(page2.getDatasetItems(0).getExpectedLabel());
        assertEquals("", page2.getNextPageToken());
    }

    @Test
    void aStreamThatSwitchesDatasetIsRefused() {
        create("switch-a");
        create("switch-b");
        ExecutionFailure failure = assertThrows(ExecutionFailure.class, () -> importItems(List.of(
                ImportDatasetItemsRequest.newBuilder().setDataset("datasets/switch-a").addItems(input("one", "", null))
                        .build(),
                ImportDatasetItemsRequest.newBuilder().setDataset("datasets/switch-b").addItems(input("two", "", null))
                        .build())));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.status.getStatus().getCode());
        assertEquals("DATASET_MISMATCH", LabelingClient.reason(failure.status));
    }

    @Test
    void importIntoAMissingDatasetIsNotFound() {
        ExecutionFailure failure = assertThrows(ExecutionFailure.class, () -> importItems(List.of(
                ImportDatasetItemsRequest.newBuilder().setDataset("datasets/nope").addItems(input("x", "", null))
                        .build())));
        assertEquals("DATASET_NOT_FOUND", LabelingClient.reason(failure.status));
    }

    @Test
    void createAndGetErrorsCarryStableReasons() {
        create("dup-ds");
        StatusRuntimeException exists = assertThrows(StatusRuntimeException.class, () -> create("dup-ds"));
        assertEquals(Status.Code.ALREADY_EXISTS, exists.getStatus().getCode());
        assertEquals("DATASET_ALREADY_EXISTS", LabelingClient.reason(exists));
        StatusRuntimeException badId = assertThrows(StatusRuntimeException.class, () -> create("Bad_Id"));
        assertEquals("INVALID_ID", LabelingClient.reason(badId));
        StatusRuntimeException badName = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().getDataset(GetDatasetRequest.newBuilder().setName("dataset/x").build()));
        assertEquals("INVALID_REFERENCE", LabelingClient.reason(badName));
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().getDataset(GetDatasetRequest.newBuilder().setName("datasets/missing").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        StatusRuntimeException token = assertThrows(StatusRuntimeException.class,
                () -> client.blocking().listDatasets(ListDatasetsRequest.newBuilder().setPageToken("garbage").build()));
        assertEquals("INVALID_PAGE_TOKEN", LabelingClient.reason(token));
    }

    @Test
    void restJsonlUploadReportsMalformedLinesAndBadLabels() {
        create("rest-jsonl");
        String body = """
                {"text": "first item", "id": "r1", "label": 1}
                {"text": "second item", "external_id": "r2", "expected_label": false}
                this is not json
                {"text": "third item", "label": "maybe"}

                {"text": 42}
                {"text": "first item"}
                {"id": "no-text"}
                """;
        JsonPath result = given().contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/datasets/rest-jsonl/items").then().statusCode(200).extract().jsonPath();
        assertEquals(2, result.getInt("importedCount"));
        assertEquals(1, result.getInt("duplicateCount"));
        assertEquals(4, result.getInt("rejectedCount"));
        assertEquals(List.of("3:MALFORMED_ROW", "4:INVALID_LABEL", "6:MALFORMED_ROW", "8:TEXT_EMPTY"),
                rowErrors(result));
    }

    @Test
    void restCsvUploadHandlesQuotesAndReportsBadRows() {
        create("rest-csv");
        String body = "id,text,label\n"
                + "c1,\"hello, world\",1\n"
                + "c2,\"multi\nline \"\"quoted\"\"\",0\n"
                + "c3,too,many,fields\n"
                + "c4,unlabeled,\n"
                + "c5,bad label,yes\n"
                + "c6,\"broken\"x,1\n"
                + "c7,,1\n";
        JsonPath result = given().contentType("text/csv").body(body)
                .post("/v1/datasets/rest-csv/items").then().statusCode(200).extract().jsonPath();
        assertEquals(3, result.getInt("importedCount"));
        assertEquals(List.of("3:MALFORMED_ROW", "5:INVALID_LABEL", "6:MALFORMED_ROW", "7:TEXT_EMPTY"),
                rowErrors(result));
        ListDatasetItemsResponse items = client.blocking().listDatasetItems(ListDatasetItemsRequest.newBuilder()
                .setParent("datasets/rest-csv").build());
        assertEquals(List.of("hello, world", "multi\nline \"quoted\"", "unlabeled"),
                items.getDatasetItemsList().stream().map(DatasetItem::getText).toList());
        assertFalse(items.getDatasetItems(2).hasExpectedLabel());
    }

    @Test
    void restErrorsAreProblemJson() {
        given().contentType("text/csv").body("text\nx\n").post("/v1/datasets/missing-ds/items").then()
                .statusCode(404).contentType("application/problem+json").body("reason", equalTo("DATASET_NOT_FOUND"));
        given().contentType("application/json").body("{}").post("/v1/datasets?dataset_id=BAD").then()
                .statusCode(400).body("reason", equalTo("INVALID_ID"));
    }

    @Test
    void theItemLimitRejectsRowsBeyondItAndKeepsTheOthers() {
        create("limited");
        // The test profile caps datasets at 200 items.
        String body = java.util.stream.IntStream.rangeClosed(1, 205)
                .mapToObj(i -> "{\"text\": \"item " + i + "\"}").collect(Collectors.joining("\n"));
        JsonPath result = given().contentType("application/x-ndjson")
                .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/datasets/limited/items").then().statusCode(200).extract().jsonPath();
        assertEquals(200, result.getInt("importedCount"));
        assertEquals(5, result.getInt("rejectedCount"));
        assertEquals("201:DATASET_ITEM_LIMIT_REACHED", rowErrors(result).get(0));
        given().contentType("application/x-ndjson")
                .body("{\"text\": \"one more\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/datasets/limited/items").then().statusCode(429)
                .body("reason", equalTo("DATASET_ITEM_LIMIT_REACHED"));
    }

    private static List<String> rowErrors(JsonPath result) {
        List<Integer> rows = result.getList("rowErrors.row", Integer.class);
        List<String> reasons = result.getList("rowErrors.reason", String.class);
        return java.util.stream.IntStream.range(0, rows.size()).mapToObj(i -> rows.get(i) + ":" + reasons.get(i))
                .toList();
    }

    private static Dataset create(String id) {
        return client.blocking().createDataset(CreateDatasetRequest.newBuilder().setDatasetId(id)
                .setDataset(Dataset.newBuilder().setDisplayName(id)).build()).getDataset();
    }

    static DatasetItemInput input(String text, String id, Boolean label) {
        DatasetItemInput.Builder b = DatasetItemInput.newBuilder().setText(text).setExternalId(id);
        if (label != null) {
            b.setExpectedLabel(label);
        }
        return b.build();
    }

    /** Client-streams the messages and waits for the single response. */
    static ImportDatasetItemsResponse importItems(List<ImportDatasetItemsRequest> messages) throws Exception {
        return importItems(client, messages);
    }

    static ImportDatasetItemsResponse importItems(LabelingClient client, List<ImportDatasetItemsRequest> messages)
            throws Exception {
        CompletableFuture<ImportDatasetItemsResponse> result = new CompletableFuture<>();
        StreamObserver<ImportDatasetItemsRequest> stream = client.async()
                .importDatasetItems(new StreamObserver<>() {
                    @Override
                    public void onNext(ImportDatasetItemsResponse value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        messages.forEach(stream::onNext);
        stream.onCompleted();
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ExecutionFailure((StatusRuntimeException) e.getCause());
        }
    }

    static final class ExecutionFailure extends Exception {
        final StatusRuntimeException status;

        ExecutionFailure(StatusRuntimeException status) {
            super(status);
            this.status = status;
        }
    }
}
