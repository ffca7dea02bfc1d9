package io.ksbridge.ingest.streaming;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;

/**
 * Gives a JSON object with a repeated key the last value on Streaming, as Snowpipe loads it with
 * {@code ALLOW_DUPLICATE = TRUE}. The ingest SDK refuses such a row client-side ("Not a valid JSON: duplicate field
 * a"); only then are the refused rows rewritten (each object keeps the last value of each repeated key, at any depth;
 * numbers keep their text) and handed to the SDK again, so rows without a repeated key cost nothing more.
 * <ul>
 *   <li>Under {@code OnErrorOption.CONTINUE} the SDK has buffered the batch's other rows (and taken its offset token):
 *       the repaired rows go in a second {@code insertRows} with the same token.</li>
 *   <li>Under {@code OnErrorOption.SKIP_BATCH} nothing of the batch was buffered: the whole batch, with the repaired
 *       rows in their places, is handed over again.</li>
 * </ul>
 * The response has the SDK's errors for rows that are still refused (by their index in the rows given), ordered by
 * index. A second call that throws under CONTINUE leaves the first call's rows buffered with the batch's token and
 * the repaired ones not: it throws {@link PartialInsert} naming them, so the caller writes them again even when the
 * token commits. Stateless and thread-safe.
 */
final class RowRepair {
    /**
     * The second {@code insertRows} (of repaired rows, under CONTINUE) failed after the first one had buffered the
     * batch's other rows with its offset token: the rows at {@link #notBuffered} are not in the channel.
     */
    static final class PartialInsert extends RuntimeException {
        final List<Integer> notBuffered;

        PartialInsert(List<Integer> notBuffered, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.notBuffered = List.copyOf(notBuffered);
        }
    }

    /** The columns a non-schematized row carries JSON in. */
    private static final List<String> JSON_COLUMNS = List.of("RECORD_CONTENT", "RECORD_METADATA");

    private static final JsonFactory JSON = new JsonFactory();

    private RowRepair() {
    }

    /**
     * {@code channel.insertRows(rows, offsetToken)}; rows refused for a repeated key are repaired and handed over again.
     *
     * @param skipBatch true when the channel was opened with {@code SKIP_BATCH} (nothing is buffered when a row is
     *                  refused), false for {@code CONTINUE}
     */
    static InsertValidationResponse insertRows(SnowflakeStreamingIngestChannel channel, List<Map<String, Object>> rows,
                                               String offsetToken, boolean skipBatch) {
        InsertValidationResponse first = channel.insertRows(rows, offsetToken);
        if (!first.hasErrors()) {
            return first;
        }
        if (skipBatch) {
            List<Map<String, Object>> again = null;
            for (InsertValidationResponse.InsertError error : first.getInsertErrors()) {
                int index = (int) error.getRowIndex();
                Map<String, Object> repaired = isRepeatedKey(error) ? repair(rows.get(index)) : null;
                if (repaired != null) {
                    if (again == null) {
                        again = new ArrayList<>(rows);
                    }
                    again.set(index, repaired);
                }
            }
            return again == null ? first : channel.insertRows(again, offsetToken);
        }
        InsertValidationResponse out = new InsertValidationResponse();
        List<Map<String, Object>> repairedRows = new ArrayList<>();
        List<Integer> repairedIndexes = new ArrayList<>();
        for (InsertValidationResponse.InsertError error : first.getInsertErrors()) {
            int index = (int) error.getRowIndex();
            Map<String, Object> repaired = isRepeatedKey(error) ? repair(rows.get(index)) : null;
            if (repaired == null) {
                out.addError(error);
            } else {
                repairedRows.add(repaired);
                repairedIndexes.add(index);
            }
        }
        if (repairedRows.isEmpty()) {
            return first;
        }
        InsertValidationResponse second;
        try {
            second = channel.insertRows(repairedRows, offsetToken);
        } catch (RuntimeException e) {
            // the first call's rows are buffered with the batch's token, the repaired ones are not: the caller must
            // not take them for written when the token commits
            throw new PartialInsert(repairedIndexes, e);
        }
        for (InsertValidationResponse.InsertError error : second.getInsertErrors()) {
            error.setRowIndex(repairedIndexes.get((int) error.getRowIndex()));
            out.addError(error);
        }
        out.getInsertErrors().sort(Comparator.comparingLong(InsertValidationResponse.InsertError::getRowIndex));
        return out;
    }

    /** True when the SDK refused the row because a JSON object repeats a key. */
    static boolean isRepeatedKey(InsertValidationResponse.InsertError error) {
        String message = error.getException() != null ? error.getException().getMessage() : null;
        return message != null && message.toLowerCase(Locale.ROOT).contains("duplicate field");
    }

    /** The row with its JSON columns rewritten, last value wins; null when no column repeats a key. */
    static Map<String, Object> repair(Map<String, Object> row) {
        Map<String, Object> out = null;
        for (String column : JSON_COLUMNS) {
            if (row.get(column) instanceof String json) {
                String fixed = lastValueWins(json);
                if (fixed != null) {
                    if (out == null) {
                        out = new LinkedHashMap<>(row);
                    }
                    out.put(column, fixed);
                }
            }
        }
        return out;
    }

    /**
     * The JSON text with each object keeping the last value of each repeated key (at the place of its first
     * occurrence), at any depth; numbers keep their text, strings their characters. Null when no object repeats a key,
     * or when the text is not JSON (then there is nothing to repair).
     */
    static String lastValueWins(String json) {
        Object tree;
        boolean[] repeated = {false};
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() == null) {
                return null;
            }
            tree = read(parser, repeated);
            if (parser.nextToken() != null) {
                return null; // more than one value: not ours to repair
            }
        } catch (IOException e) {
            return null;
        }
        if (!repeated[0]) {
            return null;
        }
        StringWriter text = new StringWriter(json.length());
        try (JsonGenerator generator = JSON.createGenerator(text)) {
            write(generator, tree);
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string failed", e);
        }
        return text.toString();
    }

    /** A number or literal, kept as its text. */
    private record Raw(JsonToken token, String text) {
    }

    private static Object read(JsonParser parser, boolean[] repeated) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    Object value = read(parser, repeated);
                    if (object.containsKey(name)) {
                        repeated[0] = true;
                    }
                    object.put(name, value);
                }
                return object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser, repeated));
                }
                return array;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            default -> {
                return new Raw(token, parser.getText());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void write(JsonGenerator generator, Object node) throws IOException {
        if (node instanceof Map<?, ?> object) {
            generator.writeStartObject();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) object).entrySet()) {
                generator.writeFieldName(e.getKey());
                write(generator, e.getValue());
            }
            generator.writeEndObject();
        } else if (node instanceof List<?> array) {
            generator.writeStartArray();
            for (Object element : array) {
                write(generator, element);
            }
            generator.writeEndArray();
        } else if (node instanceof String s) {
            generator.writeString(s);
        } else {
            Raw raw = (Raw) node;
            switch (raw.token()) {
                case VALUE_TRUE -> generator.writeBoolean(true);
                case VALUE_FALSE -> generator.writeBoolean(false);
                case VALUE_NULL -> generator.writeNull();
                default -> generator.writeNumber(raw.text());
            }
        }
    }
}
