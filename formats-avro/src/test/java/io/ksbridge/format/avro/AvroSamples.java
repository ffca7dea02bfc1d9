package io.ksbridge.format.avro;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** A record covering every Avro type and logical type, written by the real Avro library. */
final class AvroSamples {
    static final String ALL_TYPES_SCHEMA = """
            {"type": "record", "name": "AllTypes", "namespace": "io.ksbridge.test", "fields": [
              {"name": "nothing", "type": "null"},
              {"name": "flag", "type": "boolean"},
              {"name": "i", "type": "int"},
              {"name": "l", "type": "long"},
              {"name": "f", "type": "float"},
              {"name": "d", "type": "double"},
              {"name": "fNaN", "type": "float"},
              {"name": "dNegInf", "type": "double"},
              {"name": "s", "type": "string"},
              {"name": "raw", "type": "bytes"},
              {"name": "fx", "type": {"type": "fixed", "name": "Three", "size": 3}},
              {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
              {"name": "ints", "type": {"type": "array", "items": "int"}},
              {"name": "emptyArray", "type": {"type": "array", "items": "string"}},
              {"name": "counts", "type": {"type": "map", "values": "long"}},
              {"name": "maybeText", "type": ["null", "string"]},
              {"name": "maybeNull", "type": ["null", "string"]},
              {"name": "choice", "type": ["null", "int", {"type": "record", "name": "Inner", "fields": [
                  {"name": "n", "type": "string"}, {"name": "v", "type": "int"}]}]},
              {"name": "inner", "type": "Inner"},
              {"name": "inners", "type": {"type": "array", "items": "Inner"}},
              {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 4}},
              {"name": "tiny", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 4}},
              {"name": "big", "type": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 2}},
              {"name": "fixedPrice", "type": {"type": "fixed", "name": "Money", "size": 8, "logicalType": "decimal", "precision": 10, "scale": 2}},
              {"name": "day", "type": {"type": "int", "logicalType": "date"}},
              {"name": "tMillis", "type": {"type": "int", "logicalType": "time-millis"}},
              {"name": "tMicros", "type": {"type": "long", "logicalType": "time-micros"}},
              {"name": "tsMillis", "type": {"type": "long", "logicalType": "timestamp-millis"}},
              {"name": "tsMicros", "type": {"type": "long", "logicalType": "timestamp-micros"}},
              {"name": "ltsMillis", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
              {"name": "ltsMicros", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
              {"name": "id", "type": {"type": "string", "logicalType": "uuid"}}
            ]}""";

    /** The JSON every path must produce for {@link #allTypes()}. */
    static final String ALL_TYPES_JSON = "{\"nothing\":null,\"flag\":true,\"i\":-5,\"l\":1234567890123,"
            + "\"f\":3.14,\"d\":2.718281828,\"fNaN\":\"NaN\",\"dNegInf\":\"-Infinity\","
            + "\"s\":\"h\u00e9llo \\\"q\\\"\\n\\u0001 \\uD83D\\uDE00\","
            + "\"raw\":\"\\u0000A\u00ff\","
            + "\"fx\":[1,2,-56],\"color\":\"BLUE\",\"ints\":[1,2,3],\"emptyArray\":[],\"counts\":{\"a\":1,\"b\":-2},"
            + "\"maybeText\":\"x\",\"maybeNull\":null,\"choice\":{\"n\":\"in union\",\"v\":9},"
            + "\"inner\":{\"n\":\"inner\",\"v\":7},\"inners\":[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2}],"
            + "\"price\":90.0000,\"tiny\":0.0001,\"big\":123456789012345678901234567890.12,\"fixedPrice\":-12.34,"
            + "\"day\":18628,\"tMillis\":45296789,\"tMicros\":45296789012,"
            + "\"tsMillis\":1609459200123,\"tsMicros\":1609459200123456,"
            + "\"ltsMillis\":1609459200123,\"ltsMicros\":1609459200123456,"
            + "\"id\":\"123e4567-e89b-12d3-a456-426614174000\"}";

    static Schema allTypesSchema() {
        return new Schema.Parser().parse(ALL_TYPES_SCHEMA);
    }

    /** The model a producer uses: logical types as Java time, BigDecimal and UUID values. */
    static GenericData model() {
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new Conversions.UUIDConversion());
        model.addLogicalTypeConversion(new TimeConversions.DateConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimeMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimeMicrosConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
        model.addLogicalTypeConversion(new TimeConversions.LocalTimestampMillisConversion());
        model.addLogicalTypeConversion(new TimeConversions.LocalTimestampMicrosConversion());
        return model;
    }

    static GenericRecord allTypes() {
        Schema s = allTypesSchema();
        Schema inner = s.getField("inner").schema();
        GenericData.Record r = new GenericData.Record(s);
        r.put("nothing", null);
        r.put("flag", true);
        r.put("i", -5);
        r.put("l", 1234567890123L);
        r.put("f", 3.14f);
        r.put("d", 2.718281828);
        r.put("fNaN", Float.NaN);
        r.put("dNegInf", Double.NEGATIVE_INFINITY);
        r.put("s", "h\u00e9llo \"q\"\n\u0001 \uD83D\uDE00");
        r.put("raw", ByteBuffer.wrap(new byte[] {0, 'A', (byte) 0xff}));
        r.put("fx", new GenericData.Fixed(s.getField("fx").schema(), new byte[] {1, 2, (byte) 200}));
        r.put("color", new GenericData.EnumSymbol(s.getField("color").schema(), "BLUE"));
        r.put("ints", List.of(1, 2, 3));
        r.put("emptyArray", List.of());
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("a", 1L);
        counts.put("b", -2L);
        r.put("counts", counts);
        r.put("maybeText", "x");
        r.put("maybeNull", null);
        r.put("choice", innerRecord(inner, "in union", 9));
        r.put("inner", innerRecord(inner, "inner", 7));
        r.put("inners", List.of(innerRecord(inner, "a", 1), innerRecord(inner, "b", 2)));
        r.put("price", new BigDecimal("90.0000"));
        r.put("tiny", new BigDecimal("0.0001"));
        r.put("big", new BigDecimal("123456789012345678901234567890.12"));
        r.put("fixedPrice", new BigDecimal("-12.34"));
        r.put("day", LocalDate.of(2021, 1, 1));
        r.put("tMillis", LocalTime.of(12, 34, 56, 789_000_000));
        r.put("tMicros", LocalTime.of(12, 34, 56, 789_012_000));
        r.put("tsMillis", Instant.parse("2021-01-01T00:00:00.123Z"));
        r.put("tsMicros", Instant.parse("2021-01-01T00:00:00.123456Z"));
        r.put("ltsMillis", LocalDateTime.parse("2021-01-01T00:00:00.123"));
        r.put("ltsMicros", LocalDateTime.parse("2021-01-01T00:00:00.123456"));
        r.put("id", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        return r;
    }

    static GenericRecord innerRecord(Schema inner, String n, int v) {
        GenericData.Record r = new GenericData.Record(inner);
        r.put("n", n);
        r.put("v", v);
        return r;
    }

    /** Avro binary of {@code datum}, written with the logical-type model. */
    static byte[] binary(Schema schema, Object datum) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(schema, model()).write(datum, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** Confluent wire format: magic byte 0, the id big-endian, the body. */
    static byte[] wire(int id, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    private AvroSamples() {
    }
}
