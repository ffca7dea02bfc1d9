package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchematizerTest {
    private static Schematizer.Columns columns(String json) {
        return Schematizer.columns(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void columns_eachJsonType_mapsToTheConnectorsColumnType() {
        Schematizer.Columns c = columns("{\"id\":7,\"name\":\"a\",\"ok\":true,\"price\":1.5,\"tags\":[1,2],\"o\":{\"k\":1},"
                + "\"gone\":null}");
        Map<String, String> types = new LinkedHashMap<>();
        types.put("ID", "NUMBER");
        types.put("NAME", "VARCHAR");
        types.put("OK", "BOOLEAN");
        types.put("PRICE", "VARIANT");
        types.put("TAGS", "VARIANT");
        types.put("O", "VARIANT");
        assertEquals(types, c.types());
        assertEquals(7L, c.values().get("ID"));
        assertEquals("a", c.values().get("NAME"));
        assertEquals(true, c.values().get("OK"));
        assertEquals("1.5", c.values().get("PRICE"));
        assertEquals("[1,2]", c.values().get("TAGS"));
        assertEquals("{\"k\":1}", c.values().get("O"));
    }

    @Test
    void column_notAPlainIdentifier_isQuotedAsWritten() {
        assertEquals("ORDER_ID", Schematizer.column("order_id"));
        assertEquals("\"order-id\"", Schematizer.column("order-id"));
        assertEquals("\"a\"\"b\"", Schematizer.column("a\"b"));
    }

    @Test
    void columns_notAnObject_rejectedSayingWhy() {
        assertEquals("schematization needs each record to be a JSON object, this one is array",
                assertThrows(IllegalArgumentException.class, () -> columns("[1,2]")).getMessage());
        assertEquals("schematization needs each record to be a JSON object, this one is string",
                assertThrows(IllegalArgumentException.class, () -> columns("\"text\"")).getMessage());
    }
}
