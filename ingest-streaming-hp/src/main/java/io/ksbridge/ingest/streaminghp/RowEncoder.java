package io.ksbridge.ingest.streaminghp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.snowflake.shaded.jackson.databind.util.RawValue;
import io.ksbridge.ingest.IngestRow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a row into what the SDK serializes as one NDJSON line, so that the default pipe stores {@code RECORD_CONTENT}
 * and {@code RECORD_METADATA} as the JSON values they are (an object stays an object), never as a JSON string. The SDK
 * writes each row map with its own (shaded) Jackson: a {@code String} would travel as a JSON string and land as a
 * string VARIANT.
 *
 * <ul>
 *   <li>{@link Mode#RAW} (the default): the JSON text, already rendered by the record format, is checked by a
 *       streaming scan (one value, nothing after it, no line break that would split the NDJSON line) and handed to the
 *       SDK as a raw value its writer copies verbatim. No tree is built on either side.</li>
 *   <li>{@link Mode#PARSED}: the text is parsed into maps and lists, which the SDK writes again. The same values in
 *       the table, at about twice the CPU (the measurement is in the design notes).</li>
 * </ul>
 * Thread-safe.
 */
final class RowEncoder {
    /** How values reach the SDK. */
    enum Mode { RAW, PARSED }

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Mode mode;
    private final long maxRowBytes;

    RowEncoder(Mode mode, long maxRowBytes) {
        this.mode = mode;
        this.maxRowBytes = maxRowBytes;
    }

    /** A row refused before it was appended, with why. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The row as the SDK's row map.
     *
     * @throws Refused when Snowflake would refuse the row (too large, not one JSON value): it is not appended
     */
    Map<String, Object> encode(IngestRow row) throws Refused {
        checkSize(row);
        byte[] metadata = row.metadata();
        Map<String, Object> map = new LinkedHashMap<>(4);
        map.put("RECORD_CONTENT", json("RECORD_CONTENT", row.content()));
        if (metadata != null) {
            map.put("RECORD_METADATA", json("RECORD_METADATA", metadata));
        }
        return map;
    }

    /** @throws Refused when the row's JSON is over the largest row appended */
    void checkSize(IngestRow row) throws Refused {
        long size = row.content().length + (row.metadata() == null ? 0 : row.metadata().length);
        if (size > maxRowBytes) {
            throw new Refused("the row is " + size + " bytes of JSON, over the " + maxRowBytes + "-byte limit of a"
                    + " Snowpipe Streaming row");
        }
    }

    /**
     * A column's JSON value as the SDK's writer takes it (raw, or parsed when it spans lines or in {@link Mode#PARSED}).
     *
     * @throws Refused when {@code json} is not exactly one JSON value
     */
    Object json(String column, byte[] json) throws Refused {
        // whitespace between tokens may hold line breaks, which would split the NDJSON line: such a value is
        // re-rendered on one line instead
        if (mode == Mode.PARSED || scan(column, json)) {
            return parse(column, json);
        }
        return new RawValue(new String(json, StandardCharsets.UTF_8));
    }

    private static Object parse(String column, byte[] json) throws Refused {
        try {
            return MAPPER.readValue(json, Object.class);
        } catch (IOException e) {
            throw new Refused(column + " is not valid JSON: " + reason(e));
        }
    }

    /** Jackson's reason without its location block (which spans lines). */
    private static String reason(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    /**
     * Checks that {@code json} holds exactly one JSON value, without building it.
     *
     * @return true when the text has a raw line break (outside strings: inside them JSON forbids it)
     */
    private static boolean scan(String column, byte[] json) throws Refused {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                throw new Refused(column + " is empty");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new Refused(column + " holds more than one JSON value");
            }
        } catch (IOException e) {
            throw new Refused(column + " is not valid JSON: " + reason(e));
        }
        for (byte b : json) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }
}
