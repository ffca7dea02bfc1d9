package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How the emulator reads JSON into a VARIANT, the same way for a Snowpipe file's line and for a value a Streaming blob
 * carries, so that both loaders accept and refuse the same documents (the decisions and their sources are in
 * {@code docs/design-notes.md}, "One row per record"):
 * <ul>
 *   <li>nesting up to {@link #MAX_DEPTH} levels, counted over the whole document parsed: for Snowpipe the line, which
 *       wraps the record's value in {@code {"RECORD_METADATA":...,"RECORD_CONTENT":...}}; for Streaming the value
 *       alone, as the ingest SDK sends it;</li>
 *   <li>a string or key with a lone UTF-16 surrogate escape ({@code "\\uD800"}) is refused as invalid UTF-8: it has no
 *       UTF-8 form;</li>
 *   <li>a number of more than {@link #MAX_NUMBER_LENGTH} digits is refused, as the ingest SDK's parser refuses it;</li>
 *   <li>a repeated key is an error unless the file format allows duplicates, then the last value wins.</li>
 * </ul>
 * Thread-safe.
 */
public final class VariantJson {
    /** The deepest nesting of a JSON document Snowflake loads into a VARIANT. */
    public static final int MAX_DEPTH = 1000;

    /** The most characters of a number (Jackson counts the digits) Snowflake's clients parse. */
    public static final int MAX_NUMBER_LENGTH = 1000;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH).build())
            .build());
    private static final ObjectReader LAST_WINS = MAPPER.reader();
    private static final ObjectReader STRICT_KEYS = MAPPER.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private VariantJson() {
    }

    /**
     * Parses one JSON document as a VARIANT.
     *
     * @param allowDuplicate true: a repeated key keeps its last value; false: it is an error
     * @throws IOException when the bytes are not one JSON document Snowflake loads; the message carries no payload
     */
    public static JsonNode read(byte[] data, int offset, int length, boolean allowDuplicate) throws IOException {
        JsonNode node = (allowDuplicate ? LAST_WINS : STRICT_KEYS).readTree(data, offset, length);
        if (node != null && hasLoneSurrogate(node)) {
            throw new IOException("Invalid UTF8 detected in string: a lone UTF-16 surrogate escape has no UTF-8 form");
        }
        return node;
    }

    /**
     * A JSON value of a staged file that Snowflake would not load, and where: the line and the character in that line
     * (both from 1) at which the parser gave up. The message carries no payload.
     */
    public static final class ValueException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long line;
        private final long column;

        ValueException(String message, long line, long column) {
            super(message);
            this.line = line;
            this.column = column;
        }

        /** The line (from 1) where the bad value went wrong, or -1 when unknown. */
        public long line() {
            return line;
        }

        /** The character position in that line (from 1), or -1 when unknown. */
        public long column() {
            return column;
        }
    }

    /**
     * Reads a staged file's bytes as Snowflake's JSON file format reads them: a stream of JSON values, each one row,
     * whatever separates them (newlines, other whitespace, or nothing at all: {@code {"a":1}{"a":2}} is two rows, which
     * is how Snowflake's Kafka connector writes its files), with or without a trailing newline. Each value follows the
     * rules of {@link #read}.
     *
     * @param each receives every value, in file order
     * @return how many values were read
     * @throws ValueException at the first value that does not parse, with its position; the values before it were
     *                        handed to {@code each}
     */
    public static long readValues(byte[] data, boolean allowDuplicate, Consumer<JsonNode> each) throws ValueException {
        ObjectReader reader = allowDuplicate ? LAST_WINS : STRICT_KEYS;
        long n = 0;
        JsonLocation at = null;
        try (JsonParser parser = reader.createParser(data)) {
            while (parser.nextToken() != null) {
                at = parser.currentTokenLocation();
                JsonNode node = reader.readTree(parser);
                if (node != null && hasLoneSurrogate(node)) {
                    throw new ValueException("Invalid UTF8 detected in string: a lone UTF-16 surrogate escape has no UTF-8"
                            + " form", at.getLineNr(), at.getColumnNr());
                }
                n++;
                each.accept(node);
            }
            return n;
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation() != null ? e.getLocation() : at;
            String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
            int nl = message.indexOf('\n');
            throw new ValueException(nl < 0 ? message : message.substring(0, nl), where == null ? -1 : where.getLineNr(),
                    where == null ? -1 : where.getColumnNr());
        } catch (ValueException e) {
            throw e;
        } catch (IOException e) {
            throw new ValueException(String.valueOf(e.getMessage()), at == null ? -1 : at.getLineNr(),
                    at == null ? -1 : at.getColumnNr());
        }
    }

    /** Same as {@code read(data, 0, data.length, allowDuplicate)}. */
    public static JsonNode read(byte[] data, boolean allowDuplicate) throws IOException {
        return read(data, 0, data.length, allowDuplicate);
    }

    private static boolean hasLoneSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return hasLoneSurrogate(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (hasLoneSurrogate(e.getKey()) || hasLoneSurrogate(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasLoneSurrogate(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
