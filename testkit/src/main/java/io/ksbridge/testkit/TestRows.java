package io.ksbridge.testkit;

import io.ksbridge.ingest.IngestRow;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Rows for driving a backend directly, and reading their ids back from the emulator. */
public final class TestRows {
    private TestRows() {
    }

    /**
     * Rows for offsets {@code first..last}: content {@code {"id":<offset>}}, metadata {@code {"offset":<offset>}}.
     *
     * @param first the first offset
     * @param last  the last offset, inclusive
     * @return a new list, never null
     */
    public static List<IngestRow> ids(long first, long last) {
        List<IngestRow> rows = new ArrayList<>();
        for (long o = first; o <= last; o++) {
            rows.add(new IngestRow(o, ("{\"id\":" + o + "}").getBytes(StandardCharsets.UTF_8),
                    ("{\"offset\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return rows;
    }

    /**
     * The {@code id} of every row of a table, sorted.
     *
     * @param emulator the emulator, never null
     * @param table    {@code DB.SCHEMA.TABLE}, never null
     * @return a new list, never null
     */
    public static List<Long> ids(SnowflakeEmulator emulator, String table) {
        List<Long> ids = new ArrayList<>();
        for (Row r : emulator.table(table).rows()) {
            ids.add(r.content().get("id").asLong());
        }
        ids.sort(Long::compare);
        return ids;
    }
}
