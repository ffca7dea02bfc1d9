package io.ksbridge.internal.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.IOException;

/** The {@link JsonOutput} a format writes one value into; reused record after record. Not thread-safe. */
final class RowOutput implements JsonOutput {
    private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

    private final ByteBuf buf = new ByteBuf(4096);
    private JsonGenerator generator;
    private byte[] whole;
    private boolean raw;
    private Integer schemaId;
    private io.ksbridge.format.TypedColumns columns;

    /** Runs {@code format} on {@code data}; returns the value's JSON bytes. */
    byte[] convert(RecordFormat format, byte[] data, FormatContext context) throws Exception {
        buf.reset();
        whole = null;
        raw = false;
        schemaId = null;
        columns = null;
        boolean ok = false;
        try {
            format.write(data, context, this);
            if (generator != null) {
                generator.flush();
            }
            ok = true;
        } finally {
            if (!ok && generator != null) {
                generator = null; // a half-written value leaves the generator in a bad state: start afresh
            }
        }
        if (whole != null && buf.length() == 0) {
            return whole;
        }
        if (buf.length() == 0) {
            throw new IOException("format " + format.name() + " wrote no JSON value");
        }
        return buf.toByteArray();
    }

    Integer schemaId() {
        return schemaId;
    }

    /** The typed columns the format declared for the last value, or null. */
    io.ksbridge.format.TypedColumns columns() {
        return columns;
    }

    @Override
    public void columns(io.ksbridge.format.TypedColumns declared) {
        this.columns = declared;
    }

    @Override
    public JsonGenerator generator() throws IOException {
        if (raw) {
            throw new IllegalStateException("writeRaw was already used for this value; do not mix it with generator()");
        }
        if (generator == null) {
            generator = FACTORY.createGenerator(buf);
        }
        return generator;
    }

    @Override
    public void writeRaw(byte[] json, int offset, int length) {
        raw = true;
        if (whole == null && buf.length() == 0 && offset == 0 && length == json.length) {
            whole = json;
            return;
        }
        if (whole != null) {
            buf.append(whole);
            whole = null;
        }
        buf.write(json, offset, length);
    }

    @Override
    public void schemaId(int id) {
        this.schemaId = id;
    }
}
