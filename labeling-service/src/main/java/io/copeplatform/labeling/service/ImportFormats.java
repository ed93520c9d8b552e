package io.copeplatform.labeling.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.copeplatform.labeling.domain.ImportRow;

/**
 * Reads uploaded items as JSONL (one object per line: {@code text}, optional {@code external_id} or {@code id},
 * optional {@code expected_label} or {@code label}) or CSV (RFC 4180, a header naming the same columns). A row that
 * cannot be read becomes a malformed {@link ImportRow}; reading goes on with the next row.
 */
public final class ImportFormats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImportFormats() {
    }

    /** Streams JSONL rows (numbered by line) to {@code sink}. */
    public static void jsonl(Reader input, Consumer<ImportRow> sink) throws IOException {
        BufferedReader reader = new BufferedReader(input);
        String line;
        long number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            sink.accept(jsonRow(number, line));
        }
    }

    static ImportRow jsonRow(long number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return ImportRow.malformed(number, "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return ImportRow.malformed(number, "a line must be a JSON object");
        }
        JsonNode text = node.get("text");
        if (text != null && !text.isTextual() && !text.isNull()) {
            return ImportRow.malformed(number, "text must be a string");
        }
        JsonNode idNode = node.has("external_id") ? node.get("external_id") : node.get("id");
        String id = idNode == null || idNode.isNull() ? "" : idNode.asText();
        JsonNode label = node.has("expected_label") ? node.get("expected_label") : node.get("label");
        Boolean expected;
        if (label == null || label.isNull() || (label.isTextual() && label.asText().isEmpty())) {
            expected = null;
        } else {
            expected = parseLabel(label.isBoolean() ? String.valueOf(label.booleanValue()) : label.asText());
            if (expected == null) {
                return ImportRow.badLabel(number, id, label.toString());
            }
        }
        return ImportRow.of(number, text == null || text.isNull() ? null : text.asText(), id, expected);
    }

    /** Streams CSV data rows (numbered from 1 after the header) to {@code sink}. */
    public static void csv(Reader input, Consumer<ImportRow> sink) throws IOException {
        CsvReader reader = new CsvReader(new BufferedReader(input));
        List<String> header = reader.next();
        if (header == null) {
            return;
        }
        int text = -1;
        int id = -1;
        int label = -1;
        for (int i = 0; i < header.size(); i++) {
            String column = header.get(i).strip().toLowerCase(Locale.ROOT);
            if (i == 0 && column.startsWith("\ufeff")) {
                column = column.substring(1);
            }
            switch (column) {
                case "text", "content" -> text = i;
                case "id", "external_id" -> id = i;
                case "label", "expected_label" -> label = i;
                default -> {
                    // other columns are ignored
                }
            }
        }
        long number = 0;
        List<String> fields;
        while (true) {
            try {
                fields = reader.next();
            } catch (CsvReader.MalformedCsvException e) {
                number++;
                sink.accept(ImportRow.malformed(number, e.getMessage()));
                continue;
            }
            if (fields == null) {
                return;
            }
            number++;
            if (text < 0) {
                sink.accept(ImportRow.malformed(number, "the CSV header has no 'text' column"));
                continue;
            }
            if (fields.size() != header.size()) {
                sink.accept(ImportRow.malformed(number, "expected " + header.size() + " fields, found "
                        + fields.size()));
                continue;
            }
            String externalId = id >= 0 ? fields.get(id) : "";
            String rawLabel = label >= 0 ? fields.get(label).strip() : "";
            Boolean expected = null;
            if (!rawLabel.isEmpty()) {
                expected = parseLabel(rawLabel);
                if (expected == null) {
                    sink.accept(ImportRow.badLabel(number, externalId, rawLabel));
                    continue;
                }
            }
            sink.accept(ImportRow.of(number, fields.get(text), externalId, expected));
        }
    }

    /** 1/0/true/false (any case); null for anything else. */
    static Boolean parseLabel(String value) {
        switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true" :
                return Boolean.TRUE;
            case "0", "false" :
                return Boolean.FALSE;
            default :
                return null;
        }
    }

    /** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static final class CsvReader {

        private final BufferedReader in;
        private boolean eof;

        CsvReader(BufferedReader in) {
            this.in = in;
        }

        /** The next record, or null at the end. A malformed record is consumed up to its line end. */
        List<String> next() throws IOException {
            if (eof) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            boolean afterQuote = false;
            boolean any = false;
            while (true) {
                int ch = in.read();
                if (ch < 0) {
                    eof = true;
                    if (quoted) {
                        throw new MalformedCsvException("unterminated quoted field");
                    }
                    if (!any && field.length() == 0 && fields.isEmpty()) {
                        return null;
                    }
                    fields.add(field.toString());
                    return fields;
                }
                any = true;
                char c = (char) ch;
                if (quoted) {
                    if (c == '"') {
                        in.mark(1);
                        int peek = in.read();
                        if (peek == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            afterQuote = true;
                            if (peek >= 0) {
                                in.reset();
                            }
                        }
                    } else {
                        field.append(c);
                    }
                    continue;
                }
                if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                    afterQuote = false;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r') {
                        in.mark(1);
                        if (in.read() != '\n') {
                            in.reset();
                        }
                    }
                    if (fields.isEmpty() && field.length() == 0) {
                        any = false;
                        continue; // blank line
                    }
                    fields.add(field.toString());
                    return fields;
                } else if (c == '"' && field.length() == 0 && !afterQuote) {
                    quoted = true;
                } else if (afterQuote) {
                    skipLine();
                    throw new MalformedCsvException("text after a closing quote");
                } else {
                    field.append(c);
                }
            }
        }

        private void skipLine() throws IOException {
            int ch;
            while ((ch = in.read()) >= 0 && ch != '\n') {
                // discard
            }
            if (ch < 0) {
                eof = true;
            }
        }

        static final class MalformedCsvException extends IOException {
            MalformedCsvException(String message) {
                super(message);
            }
        }
    }
}
