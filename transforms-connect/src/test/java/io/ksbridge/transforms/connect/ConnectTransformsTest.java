package io.ksbridge.transforms.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordTransform;
import io.ksbridge.TransformException;
import io.ksbridge.TransformRecord;
import io.ksbridge.Transforms;
import io.ksbridge.config.BridgeConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The adapter without a broker: JSON to a SinkRecord and back, the provider, errors. */
class ConnectTransformsTest {
    private static TransformRecord record(String key, String value) {
        RecordHeaders h = new RecordHeaders();
        h.add("raw", new byte[] {(byte) 0xff, 0x01});
        return TransformRecord.of(new RecordCoordinates("t", 2, 9), 1000, key == null ? null : LazyJson.parse(key),
                LazyJson.parse(value), h);
    }

    @Test
    void hoistAndKeyTransform_valueAndKeyWrittenBack_headersKeptAsBytes() {
        RecordTransform hoist = ConnectTransforms.configured("org.apache.kafka.connect.transforms.HoistField$Value",
                Map.of("field", "wrapped"));
        TransformRecord out = Transforms.applyTo(hoist, record("{\"k\":1}", "[1,{\"a\":null}]")).get(0);
        assertEquals("{\"wrapped\":[1,{\"a\":null}]}", out.value().toString());
        assertEquals("{\"k\":1}", out.key().toString());
        assertEquals(List.of((byte) 0xff, (byte) 0x01), List.of(out.headers().lastHeader("raw").value()[0],
                out.headers().lastHeader("raw").value()[1]), "headers left alone keep their bytes");
        RecordTransform extract = ConnectTransforms.configured("org.apache.kafka.connect.transforms.ExtractField$Key",
                Map.of("field", "k"));
        assertEquals("1", Transforms.applyTo(extract, record("{\"k\":1}", "{}")).get(0).key().toString());
    }

    @Test
    void bridgeConfig_connectClass_providedByThisModule() {
        RecordTransform t = BridgeConfig.from(Map.of("transforms", "m",
                "transforms.m.type", "org.apache.kafka.connect.transforms.MaskField$Value",
                "transforms.m.fields", "a", "transforms.m.replacement", "#")).transform().orElseThrow();
        assertEquals("{\"a\":\"#\",\"b\":2}", Transforms.applyTo(t, record(null, "{\"a\":\"x\",\"b\":2}")).get(0)
                .value().toString());
        assertEquals("connect:MaskField$Value", t.name());
    }

    @Test
    void bridgeConfig_badSettings_errorNamesKeyAndClassNotTheValue() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(Map.of(
                "transforms", "c", "transforms.c.type", "org.apache.kafka.connect.transforms.Cast$Value",
                "transforms.c.spec", "a:nosuchtype-s3cr3t")));
        assertEquals("transforms.c.type", e.problems().get(0).setting());
        assertTrue(e.problems().get(0).reason().startsWith("org.apache.kafka.connect.transforms.Cast$Value refused its"
                + " settings: "), e.problems().get(0).reason());
        BridgeConfigException notOne = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(Map.of(
                "transforms", "c", "transforms.c.type", "java.lang.String")));
        assertTrue(notOne.getMessage().contains("ksbridge-transforms-connect"), notOne.getMessage());
    }

    @Test
    void transformationFails_transformExceptionNamesIt() {
        RecordTransform mask = ConnectTransforms.configured("org.apache.kafka.connect.transforms.MaskField$Value",
                Map.of("fields", "a"));
        TransformException e = assertThrows(TransformException.class,
                () -> Transforms.applyTo(mask, record(null, "[1]")));
        assertEquals("connect:MaskField$Value", e.transform());
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void headerInserted_writtenBackAsText() {
        RecordTransform t = ConnectTransforms.configured("org.apache.kafka.connect.transforms.InsertHeader",
                Map.of("header", "origin", "value.literal", "eu-1"));
        TransformRecord out = Transforms.applyTo(t, record(null, "{}")).get(0);
        assertEquals("eu-1", new String(out.headers().lastHeader("origin").value(), StandardCharsets.UTF_8));
    }
}
