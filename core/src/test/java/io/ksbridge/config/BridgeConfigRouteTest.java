package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.TableRouter;
import io.ksbridge.TransformRecord;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** ksbridge.route.field / ksbridge.route.header: the router they make, its naming, and the two excluding each other. */
class BridgeConfigRouteTest {

    private static TransformRecord record(String json, String header) {
        RecordHeaders h = new RecordHeaders();
        if (header != null) {
            h.add("table", header.getBytes(StandardCharsets.UTF_8));
        }
        return TransformRecord.of(new RecordCoordinates("orders", 0, 1), -1, null, LazyJson.parse(json), h);
    }

    @Test
    void routeField_routesByTheFieldThroughTopic2tableMap() {
        TableRouter r = BridgeConfig.from(Map.of("ksbridge.route.field", "meta.kind",
                "snowflake.topic2table.map", "refunds:REFUNDS_RAW")).router().orElseThrow();
        assertEquals("byField(meta.kind)", r.toString());
        assertEquals("PAYMENTS", r.route(record("{\"meta\":{\"kind\":\"payments\"}}", null), "ORDERS"));
        assertEquals("REFUNDS_RAW", r.route(record("{\"meta\":{\"kind\":\"refunds\"}}", null), "ORDERS"));
        assertEquals("ORDERS", r.route(record("{}", null), "ORDERS"), "no field: the topic's table");
    }

    @Test
    void routeHeader_routesByTheHeader_unsetMeansNoRouter() {
        TableRouter r = BridgeConfig.from(Map.of("ksbridge.route.header", "table")).router().orElseThrow();
        assertEquals("EVENTS", r.route(record("{}", "events"), "ORDERS"));
        assertTrue(BridgeConfig.from(Map.of()).router().isEmpty());
    }

    @Test
    void bothSet_oneProblemNamingBoth() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(Map.of(
                "ksbridge.route.field", "kind", "ksbridge.route.header", "table")));
        assertEquals("Invalid value table for setting ksbridge.route.header: a record is routed by one thing: "
                + "ksbridge.route.field is also set (kind); remove one of them", e.getMessage());
    }
}
