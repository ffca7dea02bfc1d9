package io.ksbridge.format;

import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** UTF-8 text as a JSON string. Thread-safe. */
public final class StringFormat implements RecordFormat {
    /** The shared instance behind {@link RecordFormat#string()}. */
    public static final StringFormat INSTANCE = new StringFormat();

    private StringFormat() {
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws IOException {
        out.generator().writeString(new String(data, StandardCharsets.UTF_8));
    }

    @Override
    public String name() {
        return "string";
    }

    @Override
    public String toString() {
        return "RecordFormat.string()";
    }
}
