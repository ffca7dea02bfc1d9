package io.ksbridge.examples.csv;

import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import io.ksbridge.RecordFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A custom {@link RecordFormat} in about 20 lines: one CSV line per record (no quoting) becomes a JSON object keyed by
 * the given column names. A line with the wrong number of cells is a bad record, routed by the bridge's ErrorPolicy.
 * Thread-safe (immutable).
 */
public final class CsvFormat implements RecordFormat {
    private final List<String> columns;

    public CsvFormat(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    @Override
    public void write(byte[] data, FormatContext context, JsonOutput out) throws Exception {
        String[] cells = new String(data, StandardCharsets.UTF_8).strip().split(",", -1);
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " CSV cells, found " + cells.length);
        }
        JsonGenerator g = out.generator();
        g.writeStartObject();
        for (int i = 0; i < cells.length; i++) {
            g.writeStringField(columns.get(i), cells[i]);
        }
        g.writeEndObject();
    }

    @Override
    public String name() {
        return "csv";
    }
}
