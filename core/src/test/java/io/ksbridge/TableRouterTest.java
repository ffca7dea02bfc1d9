package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TableRouterTest {

    private static TransformRecord record(String json, String header) {
        RecordHeaders h = new RecordHeaders();
        if (header != null) {
            h.add("table", header.getBytes(StandardCharsets.UTF_8));
        }
        return TransformRecord.of(new RecordCoordinates("orders", 0, 7), -1, null, LazyJson.parse(json), h);
    }

    @Test
    void fieldValueIsNamedByTheConnectorRules() {
        TableRouter r = TableRouter.byField("kind", TableNamer.connectorDefault());
        assertEquals("PAYMENTS", r.route(record("{\"kind\":\"payments\"}", null), "ORDERS"));
        assertEquals(TableNamer.connectorDefault().tableName("my-refunds"),
                r.route(record("{\"kind\":\"my-refunds\"}", null), "ORDERS"));
    }

    @Test
    void nestedFieldAndMissingFieldFallBackToTheTopicTable() {
        TableRouter r = TableRouter.byField("meta.kind", TableNamer.connectorDefault());
        assertEquals("REFUNDS", r.route(record("{\"meta\":{\"kind\":\"refunds\"}}", null), "ORDERS"));
        assertEquals("ORDERS", r.route(record("{\"meta\":{}}", null), "ORDERS"));
        assertEquals("ORDERS", r.route(record("{\"meta\":{\"kind\":null}}", null), "ORDERS"));
        assertEquals("ORDERS", r.route(record("[1,2]", null), "ORDERS"));
    }

    @Test
    void headerRoutesAndOverridesApply() {
        TableRouter r = TableRouter.byHeader("table",
                TableNamer.connectorDefault().withOverrides(Map.of("eu-.*", "EU_EVENTS")));
        assertEquals("EU_EVENTS", r.route(record("{}", "eu-west"), "ORDERS"));
        assertEquals("US", r.route(record("{}", "us"), "ORDERS"));
        assertEquals("ORDERS", r.route(record("{}", null), "ORDERS"));
    }

    @Test
    void namerErrorsSurface() {
        TableRouter r = TableRouter.byHeader("table", TableNamer.mapping(Map.of("a", "A")));
        assertThrows(IllegalArgumentException.class, () -> r.route(record("{}", "b"), "ORDERS"));
    }
}
