package io.ksbridge.examples.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.testkit.FormatRunner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How to unit-test a custom format: {@link FormatRunner} runs it as the bridge would, with no Kafka and no Snowflake. */
class CsvFormatTest {
    private static final CsvFormat FORMAT = new CsvFormat(List.of("id", "item", "note"));

    private static String convert(String line) throws Exception {
        return FormatRunner.value(FORMAT, line.getBytes(StandardCharsets.UTF_8)).json();
    }

    @Test
    void csvLine_threeCells_jsonObjectByColumn() throws Exception {
        assertEquals("{\"id\":\"17\",\"item\":\"caf\u00e9 \\\"au lait\\\"\",\"note\":\"\"}",
                convert("17,caf\u00e9 \"au lait\",\n"));
    }

    @Test
    void csvLine_wrongCellCount_namedError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> convert("1,2"));

        assertEquals("expected 3 CSV cells, found 2", e.getMessage());
    }
}
