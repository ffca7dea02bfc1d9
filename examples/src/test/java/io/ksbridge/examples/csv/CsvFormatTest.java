package io.ksbridge.examples.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ksbridge.FormatContext;
import io.ksbridge.JsonOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class CsvFormatTest {
    private static final CsvFormat FORMAT = new CsvFormat(List.of("id", "item", "note"));

    private static String convert(String line) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        JsonGenerator g = new JsonFactory().createGenerator(bytes);
        JsonOutput out = new JsonOutput() {
            @Override
            public JsonGenerator generator() {
                return g;
            }

            @Override
            public void writeRaw(byte[] json, int offset, int length) {
                bytes.write(json, offset, length);
            }

            @Override
            public void schemaId(int id) {
            }
        };
        FORMAT.write(line.getBytes(StandardCharsets.UTF_8), CONTEXT, out);
        g.flush();
        return bytes.toString(StandardCharsets.UTF_8);
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

    private static final FormatContext CONTEXT = new FormatContext() {
        @Override
        public String topic() {
            return "csv";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public boolean isKey() {
            return false;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders();
        }
    };
}
