package io.ksbridge.format.avro;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;

/**
 * A writer schema compiled into a tree of small writers that decode Avro binary and emit JSON in one pass, with no
 * intermediate objects: record field names are pre-encoded, enum symbols pre-built, unions resolved by index.
 * Immutable and thread-safe once built.
 *
 * <p>The JSON is the Snowflake connector's rendering of Avro (its converter prints the {@code GenericRecord} and
 * reads it back as JSON): records and maps are objects, arrays are arrays, a union is its branch's value, enums
 * are their symbol, {@code bytes} is a string of the bytes read as ISO-8859-1, {@code fixed} is an array of the
 * signed byte values, {@code date}, {@code time-*} and {@code *timestamp-*} logical types are their underlying
 * numbers, {@code uuid} is its string, NaN and infinities are the strings {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}. One deliberate difference: {@code decimal} is written as the exact decimal number
 * ({@code 90.0000}), where the connector rounds it through a double ({@code 90.0}).
 */
final class AvroJsonPlan {

    /** Decodes one value of its schema from {@code in} and writes its JSON to {@code g}. */
    interface Node {
        void write(BinaryDecoder in, JsonGenerator g) throws IOException;
    }

    /**
     * The most items an array or map of zero-byte items (null, empty records) may claim: such items cost no input, so
     * a corrupt count could otherwise make a few bytes expand to gigabytes of JSON.
     */
    static final long MAX_ZERO_WIDTH_ITEMS = 100_000;

    private final Node root;

    private AvroJsonPlan(Node root) {
        this.root = root;
    }

    static AvroJsonPlan compile(Schema schema) {
        return new AvroJsonPlan(new Compiler().node(schema));
    }

    void write(BinaryDecoder in, JsonGenerator g) throws IOException {
        root.write(in, g);
    }

    // ---------------------------------------------------------------- leaf rendering shared with AvroDatumJson

    static void writeFloat(JsonGenerator g, float f) throws IOException {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            g.writeString(Float.toString(f));
        } else {
            g.writeNumber(f);
        }
    }

    static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            g.writeString(Double.toString(d));
        } else {
            g.writeNumber(d);
        }
    }

    static void writeLatin1(JsonGenerator g, byte[] b, int off, int len) throws IOException {
        g.writeString(new String(b, off, len, StandardCharsets.ISO_8859_1));
    }

    static void writeSignedBytes(JsonGenerator g, byte[] b, int off, int len) throws IOException {
        g.writeStartArray(null, len);
        for (int i = off; i < off + len; i++) {
            g.writeNumber(b[i]);
        }
        g.writeEndArray();
    }

    static void writeDecimal(JsonGenerator g, byte[] b, int off, int len, int scale) throws IOException {
        if (len == 0) {
            g.writeNumber(BigDecimal.ZERO.setScale(scale).toPlainString());
            return;
        }
        BigInteger unscaled = new BigInteger(b, off, len);
        g.writeNumber(new BigDecimal(unscaled, scale).toPlainString());
    }

    static int decimalScale(Schema s) {
        LogicalType lt = s.getLogicalType();
        return lt instanceof LogicalTypes.Decimal d ? d.getScale() : -1;
    }

    // ---------------------------------------------------------------- compiler

    private static final class Compiler {
        private final Map<Schema, Node> records = new IdentityHashMap<>();

        Node node(Schema s) {
            switch (s.getType()) {
                case NULL:
                    return (in, g) -> {
                        in.readNull();
                        g.writeNull();
                    };
                case BOOLEAN:
                    return (in, g) -> g.writeBoolean(in.readBoolean());
                case INT:
                    return (in, g) -> g.writeNumber(in.readInt());
                case LONG:
                    return (in, g) -> g.writeNumber(in.readLong());
                case FLOAT:
                    return (in, g) -> writeFloat(g, in.readFloat());
                case DOUBLE:
                    return (in, g) -> writeDouble(g, in.readDouble());
                case STRING:
                    return (in, g) -> g.writeString(readString(in));
                case BYTES:
                    return bytes(decimalScale(s));
                case FIXED:
                    return fixed(s.getFixedSize(), decimalScale(s));
                case ENUM:
                    return enumeration(s.getEnumSymbols());
                case ARRAY:
                    return array(s.getElementType());
                case MAP:
                    return map(s.getValueType());
                case UNION:
                    return union(s.getTypes());
                case RECORD:
                    return record(s);
                default:
                    throw new IllegalArgumentException("unsupported Avro type " + s.getType());
            }
        }

        private static Node bytes(int scale) {
            return (in, g) -> {
                byte[] b = readBytes(in);
                if (scale >= 0) {
                    writeDecimal(g, b, 0, b.length, scale);
                } else {
                    writeLatin1(g, b, 0, b.length);
                }
            };
        }

        private static Node fixed(int size, int scale) {
            return (in, g) -> {
                byte[] b = new byte[size];
                in.readFixed(b, 0, size);
                if (scale >= 0) {
                    writeDecimal(g, b, 0, size, scale);
                } else {
                    writeSignedBytes(g, b, 0, size);
                }
            };
        }

        private static Node enumeration(List<String> symbols) {
            SerializedString[] names = symbols.stream().map(SerializedString::new).toArray(SerializedString[]::new);
            return (in, g) -> {
                int i = in.readEnum();
                if (i < 0 || i >= names.length) {
                    throw new IOException("enum index " + i + " is out of range: the enum has " + names.length
                            + " symbols");
                }
                g.writeString(names[i]);
            };
        }

        private Node array(Schema element) {
            Node item = node(element);
            boolean zeroWidth = zeroWidth(element, new IdentityHashMap<>());
            return (in, g) -> {
                g.writeStartArray();
                long total = 0;
                for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
                    total = checkCount(total, n, zeroWidth);
                    for (long i = 0; i < n; i++) {
                        item.write(in, g);
                    }
                }
                g.writeEndArray();
            };
        }

        private Node map(Schema valueType) {
            Node value = node(valueType);
            return (in, g) -> {
                g.writeStartObject();
                for (long n = in.readMapStart(); n != 0; n = in.mapNext()) {
                    checkCount(0, n, false); // every entry has a key of at least one byte
                    for (long i = 0; i < n; i++) {
                        g.writeFieldName(readString(in));
                        value.write(in, g);
                    }
                }
                g.writeEndObject();
            };
        }

        private Node union(List<Schema> branches) {
            Node[] nodes = new Node[branches.size()];
            for (int i = 0; i < nodes.length; i++) {
                nodes[i] = node(branches.get(i));
            }
            return (in, g) -> {
                int i = in.readIndex();
                if (i < 0 || i >= nodes.length) {
                    throw new IOException("union index " + i + " is out of range: the union has " + nodes.length
                            + " branches");
                }
                nodes[i].write(in, g);
            };
        }

        private Node record(Schema s) {
            Node known = records.get(s);
            if (known != null) {
                return known;
            }
            RecordNode r = new RecordNode();
            records.put(s, r); // before the fields: a recursive schema refers back to this node
            List<Schema.Field> fields = s.getFields();
            r.names = new SerializedString[fields.size()];
            r.values = new Node[fields.size()];
            for (int i = 0; i < r.names.length; i++) {
                r.names[i] = new SerializedString(fields.get(i).name());
                r.values[i] = node(fields.get(i).schema());
            }
            return r;
        }
    }

    /**
     * The length of the next string or bytes value, checked against the bytes left: Avro's own decoder allocates the
     * claimed length first, so one corrupt length could ask for gigabytes.
     */
    private static int length(BinaryDecoder in) throws IOException {
        long len = in.readLong();
        if (len < 0) {
            throw new IOException("a string or bytes value claims a negative length (" + len + ")");
        }
        int left = in.inputStream().available();
        if (len > left) {
            throw new EOFException("a string or bytes value claims " + len + " bytes, " + left + " are left");
        }
        return (int) len;
    }

    static String readString(BinaryDecoder in) throws IOException {
        int len = length(in);
        if (len == 0) {
            return "";
        }
        byte[] b = new byte[len];
        in.readFixed(b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] readBytes(BinaryDecoder in) throws IOException {
        byte[] b = new byte[length(in)];
        in.readFixed(b, 0, b.length);
        return b;
    }

    private static long checkCount(long before, long n, boolean zeroWidth) throws IOException {
        if (n < 0) {
            throw new IOException("a collection claims " + n + " items");
        }
        long total = before + n;
        if (zeroWidth && total > MAX_ZERO_WIDTH_ITEMS) {
            throw new IOException("an array of zero-byte items claims " + total + " items, more than the "
                    + MAX_ZERO_WIDTH_ITEMS + " allowed: the body is corrupt");
        }
        return total;
    }

    /** True when a value of {@code s} can take no bytes at all (null, records of such fields, zero-size fixed). */
    static boolean zeroWidth(Schema s, Map<Schema, Boolean> seen) {
        switch (s.getType()) {
            case NULL:
                return true;
            case FIXED:
                return s.getFixedSize() == 0;
            case RECORD:
                if (seen.containsKey(s)) {
                    return false; // a recursive record needs a union index (one byte) to end
                }
                seen.put(s, Boolean.TRUE);
                for (Schema.Field f : s.getFields()) {
                    if (!zeroWidth(f.schema(), seen)) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private static final class RecordNode implements Node {
        SerializedString[] names;
        Node[] values;

        @Override
        public void write(BinaryDecoder in, JsonGenerator g) throws IOException {
            g.writeStartObject();
            SerializedString[] n = names;
            Node[] v = values;
            for (int i = 0; i < n.length; i++) {
                g.writeFieldName(n[i]);
                v[i].write(in, g);
            }
            g.writeEndObject();
        }
    }
}
