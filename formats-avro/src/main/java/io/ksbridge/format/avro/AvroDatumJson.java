package io.ksbridge.format.avro;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * Writes a datum decoded by Avro's {@code GenericDatumReader} (no logical-type conversions) as JSON, with exactly
 * the rendering of {@link AvroJsonPlan}. Used when a reader schema differs from the writer schema: Avro's own schema
 * resolution then does the decoding. Stateless.
 */
final class AvroDatumJson {
    private AvroDatumJson() {
    }

    static void write(Schema s, Object datum, JsonGenerator g) throws IOException {
        switch (s.getType()) {
            case NULL -> g.writeNull();
            case BOOLEAN -> g.writeBoolean((Boolean) datum);
            case INT -> g.writeNumber((Integer) datum);
            case LONG -> g.writeNumber((Long) datum);
            case FLOAT -> AvroJsonPlan.writeFloat(g, (Float) datum);
            case DOUBLE -> AvroJsonPlan.writeDouble(g, (Double) datum);
            case STRING -> g.writeString(datum.toString());
            case BYTES -> {
                ByteBuffer bb = (ByteBuffer) datum;
                int scale = AvroJsonPlan.decimalScale(s);
                byte[] b = new byte[bb.remaining()];
                bb.duplicate().get(b);
                if (scale >= 0) {
                    AvroJsonPlan.writeDecimal(g, b, 0, b.length, scale);
                } else {
                    AvroJsonPlan.writeLatin1(g, b, 0, b.length);
                }
            }
            case FIXED -> {
                byte[] b = ((GenericFixed) datum).bytes();
                int scale = AvroJsonPlan.decimalScale(s);
                if (scale >= 0) {
                    AvroJsonPlan.writeDecimal(g, b, 0, b.length, scale);
                } else {
                    AvroJsonPlan.writeSignedBytes(g, b, 0, b.length);
                }
            }
            case ENUM -> g.writeString(datum instanceof GenericEnumSymbol<?> e ? e.toString() : datum.toString());
            case ARRAY -> {
                g.writeStartArray();
                for (Object item : (Collection<?>) datum) {
                    write(s.getElementType(), item, g);
                }
                g.writeEndArray();
            }
            case MAP -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) datum).entrySet()) {
                    g.writeFieldName(e.getKey().toString());
                    write(s.getValueType(), e.getValue(), g);
                }
                g.writeEndObject();
            }
            case UNION -> write(s.getTypes().get(GenericData.get().resolveUnion(s, datum)), datum, g);
            case RECORD -> {
                IndexedRecord r = (IndexedRecord) datum;
                g.writeStartObject();
                for (Schema.Field f : s.getFields()) {
                    g.writeFieldName(f.name());
                    write(f.schema(), r.get(f.pos()), g);
                }
                g.writeEndObject();
            }
            default -> throw new IOException("unsupported Avro type " + s.getType());
        }
    }
}
