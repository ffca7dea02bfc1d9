package io.ksbridge.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.IOException;

/**
 * JSON values, validated by Jackson's streaming parser and copied as they are: no tree is built, and a
 * value with no line breaks is passed on without a copy. Whitespace line breaks become spaces, so a row stays on
 * one line. Thread-safe.
 */
public final class JsonFormat implements RecordFormat {
    /** The shared instance behind {@link RecordFormat#json()}. */
    public static final JsonFormat INSTANCE = new JsonFormat();

    private final JsonFactory factory = JsonFactory.builder()
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private JsonFormat() {
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws IOException {
        boolean lineBreaks = validate(data);
        if (!lineBreaks) {
            out.writeRaw(data);
            return;
        }
        byte[] copy = data.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == '\n' || copy[i] == '\r') {
                copy[i] = ' '; // only whitespace can hold a raw line break in valid JSON
            }
        }
        out.writeRaw(copy);
    }

    /** Checks that data is exactly one JSON value; returns whether it contains raw line breaks. */
    private boolean validate(byte[] data) throws IOException {
        try {
            parse(data);
        } catch (JsonProcessingException e) {
            // Jackson's messages quote the offending token: payload, which must not reach logs or dead-letter headers.
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IOException("invalid JSON" + where + ": " + describe(e));
        }
        for (byte b : data) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }

    private static String describe(JsonProcessingException e) {
        if (e instanceof JsonEOFException) {
            return "unexpected end of input";
        }
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Unrecognized token")) {
            return "unrecognized token";
        }
        if (m.startsWith("Unexpected character")) {
            return "unexpected character";
        }
        if (m.startsWith("Illegal unquoted character")) {
            return "unescaped control character in a string";
        }
        if (m.startsWith("Invalid UTF-8")) {
            return "invalid UTF-8";
        }
        if (m.startsWith("Unexpected end-of-input")) {
            return "unexpected end of input";
        }
        return "malformed JSON";
    }

    private void parse(byte[] data) throws IOException {
        try (JsonParser p = factory.createParser(data)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("empty input: expected one JSON value");
            }
            if (first.isStructStart()) {
                p.skipChildren();
            }
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new IOException("more than one JSON value: a second value starts at byte "
                        + p.currentTokenLocation().getByteOffset());
            }
        }
    }

    @Override
    public String name() {
        return "json";
    }

    @Override
    public String toString() {
        return "RecordFormat.json()";
    }
}
