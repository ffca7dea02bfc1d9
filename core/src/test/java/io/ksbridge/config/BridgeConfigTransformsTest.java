package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordTransform;
import io.ksbridge.TransformRecord;
import io.ksbridge.Transforms;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** The connector's transforms.* keys: built-ins by short name, messages word for word, no Connect module here. */
class BridgeConfigTransformsTest {

    private static Map<String, String> props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<String> run(RecordTransform t, String json) {
        RecordHeaders h = new RecordHeaders();
        h.add("kind", "heartbeat".getBytes(StandardCharsets.UTF_8));
        TransformRecord r = TransformRecord.of(new RecordCoordinates("t", 0, 5), 99, null, LazyJson.parse(json), h);
        return Transforms.applyTo(t, r).stream().map(x -> x.value().toString()).toList();
    }

    private static List<BridgeConfigException.Problem> problems(Map<String, String> props) {
        return assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(props)).problems();
    }

    @Test
    void transforms_builtInChain_runsInOrder() {
        RecordTransform t = BridgeConfig.from(props("transforms", "m, h,d,i,r,f,o",
                "transforms.m.type", "mask", "transforms.m.fields", "ssn", "transforms.m.replacement", "x",
                "transforms.h.type", "hash", "transforms.h.fields", "email", "transforms.h.hash.key", "k",
                "transforms.d.type", "drop", "transforms.d.fields", "tmp, junk",
                "transforms.i.type", "insert", "transforms.i.field", "off", "transforms.i.metadata", "offset",
                "transforms.r.type", "RENAME", "transforms.r.renames", "a:alpha",
                "transforms.f.type", "flatten", "transforms.f.separator", "_",
                "transforms.o.type", "filter", "transforms.o.field", "alpha_b", "transforms.o.regex", "skip.*"))
                .transform().orElseThrow();
        List<String> out = run(t, "{\"ssn\":\"1\",\"tmp\":0,\"a\":{\"b\":\"keep me\"},\"junk\":[]}");
        assertEquals(List.of("{\"ssn\":\"x\",\"alpha_b\":\"keep me\",\"off\":5}"), out);
        assertEquals(List.of(), run(t, "{\"a\":{\"b\":\"skip this\"}}"), "matching records are dropped by default");
        assertTrue(BridgeConfig.from(props()).transform().isEmpty());
    }

    @Test
    void filter_headerKeepOnMatch() {
        RecordTransform t = BridgeConfig.from(props("transforms", "f", "transforms.f.type", "filter",
                "transforms.f.header", "kind", "transforms.f.regex", "order|payment", "transforms.f.on.match", "keep"))
                .transform().orElseThrow();
        assertEquals(List.of(), run(t, "{}"), "header kind=heartbeat does not match: dropped");
    }

    @Test
    void connectClass_moduleAbsent_errorNamesKeyAndModule() {
        List<BridgeConfigException.Problem> p = problems(props("transforms", "mask",
                "transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value",
                "transforms.mask.fields", "ssn"));
        assertEquals(1, p.size(), p.toString());
        assertEquals("transforms.mask.type", p.get(0).setting());
        assertEquals("not a ksbridge transform, and no transform provider on the class path takes this class; to run"
                + " Kafka Connect transformations, add the module io.ksbridge:ksbridge-transforms-connect (and the jar"
                + " of the transformation) to the class path", p.get(0).reason());
    }

    @Test
    void invalidSettings_everyProblemListed_secretNeverShown() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(props(
                "transforms", "a,b,c,d,e",
                "transforms.a.type", "drop",
                "transforms.b.type", "hash", "transforms.b.fields", "x", "transforms.b.hash.key", "topsecret-k3y",
                "transforms.b.fieldz", "topsecret-k3y",
                "transforms.c.type", "nope",
                "transforms.e.type", "filter", "transforms.e.field", "f", "transforms.e.regex", "(",
                "transforms.z.type", "drop")));
        List<String> lines = e.problems().stream().map(p -> p.setting() + ": " + p.reason()).toList();
        assertEquals(List.of(
                "transforms.z.type: alias z is configured but not listed in transforms, so it would have no effect;"
                        + " add it to transforms or remove its keys",
                "transforms.a.fields: required: comma-separated top-level field names",
                "transforms.b.fieldz: unknown setting for a hash transform; it reads fields, hash.key",
                "transforms.c.type: unknown transform type: use one of drop, mask, hash, insert, rename, flatten,"
                        + " filter, or a Kafka Connect Transformation class name",
                "transforms.d.type: required for every alias in transforms: a ksbridge transform (drop, mask, hash,"
                        + " insert, rename, flatten, filter) or a Kafka Connect Transformation class",
                "transforms.e.regex: not a Java regular expression: Unclosed group"), lines);
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
    }

    @Test
    void aliases_badList_refused() {
        assertEquals("transforms", problems(props("transforms", "a,,b")).get(0).setting());
        assertEquals("alias a is listed twice", problems(props("transforms", "a,a",
                "transforms.a.type", "flatten")).get(0).reason());
        assertEquals("Kafka Connect predicates are not supported; use a filter transform"
                + " (transforms.<alias>.type=filter) instead", problems(props("transforms", "a",
                "transforms.a.type", "flatten", "transforms.a.predicate", "p")).get(0).reason());
    }

    @Test
    void insert_needsExactlyOneOfValueAndMetadata() {
        assertEquals("transforms.i.value", problems(props("transforms", "i", "transforms.i.type", "insert",
                "transforms.i.field", "x")).get(0).setting());
        assertEquals("one of topic, partition, offset, timestamp", problems(props("transforms", "i",
                "transforms.i.type", "insert", "transforms.i.field", "x", "transforms.i.metadata", "lag")).get(0).reason());
        RecordTransform t = BridgeConfig.from(props("transforms", "i", "transforms.i.type", "insert",
                "transforms.i.field", "src", "transforms.i.value", "kafka")).transform().orElseThrow();
        assertEquals(List.of("{\"src\":\"kafka\"}"), run(t, "{}"));
    }
}
