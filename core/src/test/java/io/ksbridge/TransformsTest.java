package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Golden JSON in and out for each built-in transform: escapes, unicode, nesting, nulls, missing fields. */
class TransformsTest {
    private static final RecordCoordinates AT = new RecordCoordinates("orders", 3, 42);

    static TransformRecord record(String json) {
        RecordHeaders h = new RecordHeaders();
        h.add("type", "order".getBytes(StandardCharsets.UTF_8));
        return TransformRecord.of(AT, 1_700_000_000_000L, LazyJson.ofString("k1"), LazyJson.parse(json), h);
    }

    static String run(RecordTransform t, String json) {
        List<TransformRecord> out = Transforms.applyTo(t, record(json));
        assertEquals(1, out.size(), "one record out");
        return out.get(0).value().toString();
    }

    @ParameterizedTest(name = "drop {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"a\":1,\"b\":2,\"c\":3}` | `{\"a\":1,\"c\":3}`",
            "`{\"b\":2}` | `{}`",
            "`{ \"a\" : \"x\\\"y\" , \"b\" : {\"n\":[1,{\"b\":2}]} }` | `{\"a\":\"x\\\"y\"}`",
            "`{\"\\u0062\":1,\"z\":\"é\"}` | `{\"z\":\"é\"}`",
            "`{\"a\":null,\"b\":null}` | `{\"a\":null}`",
            "`{\"a\":1}` | `{\"a\":1}`",
            "`[1,2]` | `[1,2]`",
            "`\"b\"` | `\"b\"`"})
    void drop_fieldB_goldenOutput(String in, String expected) {
        assertEquals(expected, run(Transforms.drop("b"), in));
    }

    @Test
    void drop_missingField_sameBytesNoCopy() {
        TransformRecord r = record("{\"a\":1}");
        TransformRecord out = Transforms.applyTo(Transforms.drop("zz"), r).get(0);
        assertSame(r.value().bytes(), out.value().bytes(), "nothing to drop: the original bytes, not a copy");
    }

    @ParameterizedTest(name = "mask {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "`{\"ssn\":\"123-45-6789\",\"n\":1}` | `{\"ssn\":\"****\",\"n\":1}`",
            "`{\"ssn\":123456789}` | `{\"ssn\":\"****\"}`",
            "`{\"ssn\":{\"deep\":[1,2]},\"x\":\"\\n\"}` | `{\"ssn\":\"****\",\"x\":\"\\n\"}`",
            "`{\"ssn\":null}` | `{\"ssn\":null}`",
            "`{\"other\":\"ü\"}` | `{\"other\":\"ü\"}`"})
    void mask_fieldSsn_goldenOutput(String in, String expected) {
        assertEquals(expected, run(Transforms.mask("ssn"), in));
    }

    @Test
    void mask_customReplacementWithQuote_escaped() {
        assertEquals("{\"a\":\"x\\\"\",\"b\":\"x\\\"\"}",
                run(Transforms.mask("x\"", List.of("a", "b")), "{\"a\":\"secret\",\"b\":false}"));
    }

    @Test
    void hash_stringAndNumber_hmacSha256HexOfTextAndJson() throws Exception {
        Secret key = Secret.of("pepper");
        String out = run(Transforms.hash(key, "email", "n", "gone"), "{\"email\":\"a\\u00e9@x.org\",\"n\":12,\"m\":null}");
        assertEquals("{\"email\":\"" + hmac("pepper", "aé@x.org") + "\",\"n\":\"" + hmac("pepper", "12")
                + "\",\"m\":null}", out);
        assertEquals(run(Transforms.hash(key, "email"), "{\"email\":\"aé@x.org\"}"),
                run(Transforms.hash(key, "email"), "{\"email\":\"a\\u00e9@x.org\"}"), "the text is hashed, not its escapes");
    }

    @Test
    void hash_nameAndToString_neverShowTheKey() {
        RecordTransform t = Transforms.hash(Secret.of("s3cr3t-pepper"), "email");
        assertEquals("hash[email]", t.name());
        assertFalse(t.toString().contains("s3cr3t"));
        assertThrows(IllegalArgumentException.class, () -> Transforms.hash(Secret.of(""), "email"));
    }

    @Test
    void insert_staticAndMetadata_goldenOutput() {
        RecordTransform t = Transforms.insert("src", "kafka \"eu\"")
                .andThen(Transforms.insertMetadata("topic", Transforms.MetadataField.TOPIC))
                .andThen(Transforms.insertMetadata("p", Transforms.MetadataField.PARTITION))
                .andThen(Transforms.insertMetadata("o", Transforms.MetadataField.OFFSET))
                .andThen(Transforms.insertMetadata("ts", Transforms.MetadataField.TIMESTAMP));
        assertEquals("{\"o\":42,\"a\":1,\"src\":\"kafka \\\"eu\\\"\",\"topic\":\"orders\",\"p\":3,\"ts\":1700000000000}",
                run(t, "{\"o\":\"old\",\"a\":1}"));
        assertEquals("{\"o\":42,\"a\":1}", run(Transforms.insertMetadata("o", Transforms.MetadataField.OFFSET),
                "{\"o\":\"old\",\"a\":1}"), "an existing field is replaced in place");
        assertEquals("[1]", run(Transforms.insert("x", "y"), "[1]"), "not an object: as it is");
    }

    @Test
    void columns_metadataTyped_maskedAndHashedText_composedByAndThen() {
        assertEquals("TypedColumns[o NUMBER(19,0)]",
                String.valueOf(Transforms.insertMetadata("o", Transforms.MetadataField.OFFSET).columns()));
        io.ksbridge.format.TypedColumns.Column ts = Transforms.insertMetadata("ts", Transforms.MetadataField.TIMESTAMP)
                .columns().column("ts");
        assertEquals("TIMESTAMP_LTZ(3)", ts.type());
        assertEquals(io.ksbridge.format.TypedColumns.Encoding.EPOCH_MILLIS, ts.encoding());
        assertEquals(java.time.Instant.ofEpochMilli(1_700_000_000_000L),
                ts.value(com.fasterxml.jackson.databind.node.LongNode.valueOf(1_700_000_000_000L)));
        RecordTransform chain = Transforms.mask("card").andThen(Transforms.drop("x"))
                .andThen(Transforms.insertMetadata("p", Transforms.MetadataField.PARTITION))
                .andThen(Transforms.insertMetadata("t", Transforms.MetadataField.TOPIC))
                .andThen(Transforms.hash(Secret.of("pepper"), "email"));
        assertEquals("TypedColumns[card VARCHAR, p NUMBER(10,0), t VARCHAR, email VARCHAR]", String.valueOf(chain.columns()));
        assertEquals(null, Transforms.drop("x").andThen(Transforms.rename(Map.of("a", "b"))).columns(),
                "no transform declares one: null, so the format's columns stand alone");
    }

    @Test
    void insert_timestampAbsent_null() {
        TransformRecord r = TransformRecord.of(AT, -1, null, LazyJson.parse("{}"), new RecordHeaders());
        assertEquals("{\"ts\":null}", Transforms.applyTo(Transforms.insertMetadata("ts",
                Transforms.MetadataField.TIMESTAMP), r).get(0).value().toString());
    }

    @Test
    void rename_goldenOutput() {
        Map<String, String> renames = new LinkedHashMap<>();
        renames.put("a", "alpha");
        renames.put("é", "e\"q");
        assertEquals("{\"alpha\":{\"x\":1},\"e\\\"q\":null,\"c\":3}",
                run(Transforms.rename(renames), "{\"a\":{\"x\":1},\"\\u00e9\":null,\"c\":3}"));
        assertEquals("{\"b\":1}", run(Transforms.rename(Map.of("a", "b")), "{\"b\":0,\"a\":1}"),
                "the renamed field replaces the one it collides with");
        assertEquals("{\"q\":1}", run(Transforms.rename(Map.of("a", "b")), "{\"q\":1}"));
    }

    @Test
    void flatten_goldenOutput() {
        assertEquals("{\"id\":1,\"user.name\":\"Zo\\u00eb\",\"user.address.city\":\"a\\\\b\",\"user.tags\":[{\"k\":1}],"
                        + "\"user.empty\":{},\"n\":null}",
                run(Transforms.flatten("."), "{\"id\":1,\"user\":{\"name\":\"Zo\\u00eb\",\"address\":{\"city\":\"a\\\\b\"},"
                        + "\"tags\":[{\"k\":1}],\"empty\":{}},\"n\":null}"));
        assertEquals("{\"a_b\":1}", run(Transforms.flatten("_"), "{\"a\":{\"b\":1}}"));
        assertEquals("{\"a\":[1]}", run(Transforms.flatten("_"), "{\"a\":[1]}"), "nothing to flatten");
    }

    @Test
    void filterByField_matchKeepsElseFilters() {
        RecordTransform t = Transforms.filterByField("user.country", v -> v != null && "CH".equals(v.asText()));
        assertEquals(1, Transforms.applyTo(t, record("{\"user\":{\"country\":\"CH\"}}")).size());
        assertEquals(0, Transforms.applyTo(t, record("{\"user\":{\"country\":\"FR\"}}")).size());
        assertEquals(0, Transforms.applyTo(t, record("{\"user\":null}")).size(), "missing: the predicate sees null");
        assertEquals(0, Transforms.applyTo(t, record("[]")).size());
    }

    @Test
    void filterByHeader_matchKeepsElseFilters() {
        assertEquals(1, Transforms.applyTo(Transforms.filterByHeader("type", "order"::equals), record("{}")).size());
        assertEquals(0, Transforms.applyTo(Transforms.filterByHeader("type", "x"::equals), record("{}")).size());
        assertEquals(0, Transforms.applyTo(Transforms.filterByHeader("none", v -> v != null), record("{}")).size());
    }

    @Test
    void chain_maskDropFlattenFilter_goldenOutputAndName() {
        RecordTransform t = Transforms.mask("ssn").andThen(Transforms.drop("internal"))
                .andThen(Transforms.flatten("_")).andThen(Transforms.filterByField("keep", v -> v != null));
        assertEquals("{\"ssn\":\"****\",\"a_b\":\"\\u2028\",\"keep\":true}",
                run(t, "{\"ssn\":\"1\",\"internal\":{\"x\":1},\"a\":{\"b\":\"\\u2028\"},\"keep\":true}"));
        assertTrue(Transforms.applyTo(t, record("{\"ssn\":\"1\"}")).isEmpty());
        assertEquals("mask[ssn].andThen(drop[internal]).andThen(flatten(_)).andThen(filter[field keep])", t.name());
    }

    @Test
    void chain_fanOutThenMask_eachRecordTransformed() {
        RecordTransform explode = r -> {
            LazyJson items = r.value().get("items");
            return List.of(r.withValue(LazyJson.parse("{\"item\":1,\"ssn\":\"a\"}")),
                    r.withValue(LazyJson.parse("{\"item\":2,\"ssn\":\"b\"}")));
        };
        List<TransformRecord> out = Transforms.applyTo(explode.andThen(Transforms.mask("ssn")), record("{}"));
        assertEquals(List.of("{\"item\":1,\"ssn\":\"****\"}", "{\"item\":2,\"ssn\":\"****\"}"),
                out.stream().map(r -> r.value().toString()).toList());
        assertEquals(42, out.get(1).offset(), "every record keeps the Kafka coordinates");
    }

    @Test
    void chain_failingStep_exceptionNamesThatStep() {
        RecordTransform boom = new RecordTransform() {
            @Override
            public List<TransformRecord> apply(TransformRecord record) {
                throw new IllegalStateException("no way");
            }

            @Override
            public String name() {
                return "boom";
            }
        };
        TransformException e = assertThrows(TransformException.class,
                () -> Transforms.applyTo(Transforms.drop("a").andThen(boom), record("{}")));
        assertEquals("boom", e.transform());
        assertEquals("transform boom failed: no way", e.getMessage());
        TransformException n = assertThrows(TransformException.class, () -> Transforms.applyTo(r -> null, record("{}")));
        assertTrue(n.getMessage().contains("returned null"), n.getMessage());
    }

    @Test
    void factories_invalidArguments_refused() {
        assertEquals("drop needs at least one field",
                assertThrows(IllegalArgumentException.class, Transforms::drop).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transforms.rename(Map.of()));
        assertThrows(NullPointerException.class, () -> Transforms.flatten(null));
    }

    private static String hmac(String key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        StringBuilder b = new StringBuilder();
        for (byte x : mac.doFinal(text.getBytes(StandardCharsets.UTF_8))) {
            b.append(String.format("%02x", x));
        }
        return b.toString();
    }
}
