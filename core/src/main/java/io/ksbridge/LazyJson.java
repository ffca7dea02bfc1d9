package io.ksbridge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.ksbridge.format.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One JSON value as a {@link RecordTransform} sees it: the JSON text over the bytes the format produced, parsed only as
 * far as it is read. An object's top-level fields are found by one scan that skips over nested values without
 * parsing them; a nested object is scanned only when {@link #get} reaches it. Edits ({@link #without}, {@link #with},
 * {@link #renamed}) return a new value that shares the untouched fields' bytes: rendering it copies spans of the
 * original text and writes only what changed, so a transform touching two fields does not rebuild the document.
 *
 * <p>The bytes are trusted to be valid JSON on one line (the bridge's formats guarantee it); {@link #parse} validates
 * text from elsewhere. Immutable and thread-safe once built; never modify an array passed in or handed out.
 */
public final class LazyJson {
    /** The kind of a JSON value. */
    public enum Kind { OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL }

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};

    // An original value is a span of src; an edited object has src == null and its fields in `fields`.
    private final byte[] src;
    private final int off;
    private final int len;
    private Field[] fields;
    private byte[] rendered;

    private LazyJson(byte[] src, int off, int len) {
        this.src = src;
        this.off = off;
        this.len = len;
    }

    private LazyJson(Field[] fields) {
        this.src = null;
        this.off = 0;
        this.len = 0;
        this.fields = fields;
    }

    /**
     * Wraps JSON text without copying or validating it.
     *
     * @param json one valid JSON value on one line (UTF-8), never null; must not be changed afterwards
     */
    public static LazyJson of(byte[] json) {
        return new LazyJson(Objects.requireNonNull(json, "json must not be null"), 0, json.length);
    }

    /**
     * Validates JSON text; raw line breaks (whitespace only, in valid JSON) become spaces so the row stays on one line.
     *
     * @throws IllegalArgumentException when the text is not exactly one JSON value
     */
    public static LazyJson parse(String json) {
        byte[] bytes = Objects.requireNonNull(json, "json must not be null").getBytes(StandardCharsets.UTF_8);
        if (!JsonFormat.isValid(bytes)) {
            throw new IllegalArgumentException("not one valid JSON value: " + abbreviate(json));
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                bytes[i] = ' ';
            }
        }
        return of(bytes);
    }

    /** A JSON string holding {@code text}, escaped as JSON requires. */
    public static LazyJson ofString(String text) {
        return of(quote(Objects.requireNonNull(text, "text must not be null")));
    }

    /** A JSON number. */
    public static LazyJson ofNumber(long n) {
        return of(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
    }

    /** JSON {@code null}. */
    public static LazyJson ofNull() {
        return of(NULL_BYTES);
    }

    /** The kind of this value, from its first byte. */
    public Kind kind() {
        if (src == null) {
            return Kind.OBJECT;
        }
        int i = Scan.skipWs(src, off, off + len);
        if (i >= off + len) {
            throw new IllegalStateException("empty JSON value");
        }
        return switch (src[i]) {
            case '{' -> Kind.OBJECT;
            case '[' -> Kind.ARRAY;
            case '"' -> Kind.STRING;
            case 't', 'f' -> Kind.BOOLEAN;
            case 'n' -> Kind.NULL;
            default -> Kind.NUMBER;
        };
    }

    /** True when this is a JSON object. */
    public boolean isObject() {
        return kind() == Kind.OBJECT;
    }

    /** True when this is JSON {@code null}. */
    public boolean isNull() {
        return kind() == Kind.NULL;
    }

    /** True when this object has a top-level field {@code name}; false for a value that is not an object. */
    public boolean has(String name) {
        return indexOf(FieldName.of(name)) >= 0;
    }

    /**
     * The value of the top-level field {@code name}: a view on the same bytes, parsed only when read.
     *
     * @return the value, or null when this is not an object or has no such field (a field holding JSON null gives a
     *         value whose {@link #isNull()} is true)
     */
    public LazyJson get(String name) {
        return get(FieldName.of(name));
    }

    /**
     * The value at a dotted path ({@code user.address.city}): each step a field of an object.
     *
     * @return the value, or null when a step is missing or not an object
     */
    public LazyJson at(String path) {
        LazyJson v = this;
        for (String step : path.split("\\.", -1)) {
            v = v.get(step);
            if (v == null) {
                return null;
            }
        }
        return v;
    }

    /** The names of the top-level fields, in order; empty for a value that is not an object. */
    public List<String> fieldNames() {
        Field[] fs = fields();
        List<String> names = new ArrayList<>(fs == null ? 0 : fs.length);
        if (fs != null) {
            for (Field f : fs) {
                names.add(f.name());
            }
        }
        return names;
    }

    /**
     * The text of a JSON string, unescaped; for any other kind its JSON text ({@code 42}, {@code true}, {@code null},
     * an object's text).
     */
    public String asText() {
        if (src != null && kind() == Kind.STRING) {
            int start = Scan.skipWs(src, off, off + len);
            int end = Scan.endOfString(src, start, off + len);
            boolean escaped = false;
            for (int i = start + 1; i < end - 1; i++) {
                if (src[i] == '\\') {
                    escaped = true;
                    break;
                }
            }
            return escaped ? unquote(src, start, end - start)
                    : new String(src, start + 1, end - start - 2, StandardCharsets.UTF_8);
        }
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** This object without the top-level fields named; this same value when none is present or it is no object. */
    public LazyJson without(Collection<String> names) {
        return without(FieldName.all(names));
    }

    /** This object with field {@code name} set to {@code value}: replaced in place, or appended when absent. */
    public LazyJson with(String name, LazyJson value) {
        return with(FieldName.of(name), value);
    }

    /**
     * This object with top-level fields renamed ({@code old → new}); a renamed field replaces a field already named
     * like its new name. This same value when no field is renamed.
     */
    public LazyJson renamed(Map<String, String> renames) {
        Field[] fs = fields();
        if (fs == null) {
            return this;
        }
        Field[] out = null;
        for (int i = 0; i < fs.length; i++) {
            String to = renames.get(fs[i].name());
            if (to != null) {
                if (out == null) {
                    out = fs.clone();
                }
                out[i] = fs[i].named(FieldName.of(to));
            }
        }
        if (out == null) {
            return this;
        }
        return new LazyJson(dedupe(out));
    }

    /**
     * This object with nested objects flattened into top-level fields named by their path, joined by
     * {@code separator}: {@code {"a":{"b":1}}} becomes {@code {"a.b":1}}. Arrays and empty objects stay as they are.
     * This same value when there is nothing to flatten.
     */
    public LazyJson flattened(String separator) {
        Field[] fs = fields();
        if (fs == null) {
            return this;
        }
        boolean any = false;
        for (Field f : fs) {
            if (f.valueIsNonEmptyObject()) {
                any = true;
                break;
            }
        }
        if (!any) {
            return this;
        }
        List<Field> out = new ArrayList<>(fs.length * 2);
        flattenInto(out, null, fs, separator);
        return new LazyJson(dedupe(out.toArray(new Field[0])));
    }

    private static void flattenInto(List<Field> out, String prefix, Field[] fs, String separator) {
        for (Field f : fs) {
            String name = prefix == null ? null : prefix + separator + f.name();
            if (f.valueIsNonEmptyObject()) {
                flattenInto(out, name == null ? f.name() : name, f.value().fields(), separator);
            } else {
                out.add(name == null ? f : f.named(FieldName.of(name)));
            }
        }
    }

    /** The JSON text, rendered once; for an unedited whole array, that array itself. Never modify it. */
    public byte[] bytes() {
        byte[] r = rendered;
        if (r == null) {
            if (src != null) {
                r = off == 0 && len == src.length ? src : Arrays.copyOfRange(src, off, off + len);
            } else {
                r = render(fields);
            }
            rendered = r;
        }
        return r;
    }

    /** The JSON text. */
    @Override
    public String toString() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** Same JSON text, byte for byte. */
    @Override
    public boolean equals(Object o) {
        return o instanceof LazyJson other && Arrays.equals(bytes(), other.bytes());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes());
    }

    // ------------------------------------------------------------------ package-private fast paths for Transforms

    LazyJson get(FieldName name) {
        int i = indexOf(name);
        return i < 0 ? null : fields[i].value();
    }

    LazyJson without(FieldName[] names) {
        Field[] fs = fields();
        if (fs == null) {
            return this;
        }
        int keep = 0;
        boolean[] drop = null;
        for (int i = 0; i < fs.length; i++) {
            boolean match = false;
            for (FieldName n : names) {
                if (fs[i].is(n)) {
                    match = true;
                    break;
                }
            }
            if (match) {
                if (drop == null) {
                    drop = new boolean[fs.length];
                }
                drop[i] = true;
            } else {
                keep++;
            }
        }
        if (drop == null) {
            return this;
        }
        Field[] out = new Field[keep];
        for (int i = 0, j = 0; i < fs.length; i++) {
            if (!drop[i]) {
                out[j++] = fs[i];
            }
        }
        return new LazyJson(out);
    }

    LazyJson with(FieldName name, LazyJson value) {
        Objects.requireNonNull(value, "value must not be null");
        Field[] fs = fields();
        if (fs == null) {
            throw new IllegalArgumentException("cannot set field " + name.text() + " on a JSON " + kind());
        }
        int at = -1;
        for (int i = 0; i < fs.length; i++) {
            if (fs[i].is(name)) {
                at = i; // the last one wins, as when the object is read
            }
        }
        Field nf = Field.of(name, value);
        Field[] out;
        if (at >= 0) {
            out = fs.clone();
            out[at] = nf;
            if (at != lastIndexOfDuplicates(fs, name, at)) {
                return new LazyJson(dedupe(out));
            }
        } else {
            out = Arrays.copyOf(fs, fs.length + 1);
            out[fs.length] = nf;
        }
        return new LazyJson(out);
    }

    /** Replaces the value of every field for which {@code fn} gives a new one; this same value when none changes. */
    LazyJson mapValues(FieldName[] names, java.util.function.UnaryOperator<LazyJson> fn) {
        Field[] fs = fields();
        if (fs == null) {
            return this;
        }
        Field[] out = null;
        for (int i = 0; i < fs.length; i++) {
            for (FieldName n : names) {
                if (fs[i].is(n)) {
                    LazyJson v = fs[i].value();
                    LazyJson nv = fn.apply(v);
                    if (nv != v) {
                        if (out == null) {
                            out = fs.clone();
                        }
                        out[i] = fs[i].withValue(nv);
                    }
                    break;
                }
            }
        }
        return out == null ? this : new LazyJson(out);
    }

    /** The bytes of this value's text: {@code (buf, off, len)} without copying. */
    private byte[] spanBuf() {
        return src != null ? src : bytes();
    }

    private int spanOff() {
        return src != null ? off : 0;
    }

    private int spanLen() {
        return src != null ? len : bytes().length;
    }

    private int indexOf(FieldName name) {
        Field[] fs = fields();
        if (fs == null) {
            return -1;
        }
        for (int i = fs.length - 1; i >= 0; i--) {
            if (fs[i].is(name)) {
                return i;
            }
        }
        return -1;
    }

    /** The top-level fields, scanned on first use; null when this is not an object. */
    private Field[] fields() {
        Field[] fs = fields;
        if (fs == null && src != null) {
            int start = Scan.skipWs(src, off, off + len);
            if (start >= off + len || src[start] != '{') {
                return null;
            }
            fs = Scan.fields(src, start, off + len);
            fields = fs;
        }
        return fs;
    }

    private static int lastIndexOfDuplicates(Field[] fs, FieldName name, int at) {
        for (int i = 0; i < fs.length; i++) {
            if (i != at && fs[i].is(name)) {
                return i;
            }
        }
        return at;
    }

    /** Keeps, for each name that appears more than once, only its last occurrence (at that position). */
    private static Field[] dedupe(Field[] fs) {
        List<Field> out = new ArrayList<>(fs.length);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = fs.length - 1; i >= 0; i--) {
            if (seen.add(fs[i].name())) {
                out.add(fs[i]);
            }
        }
        if (out.size() == fs.length) {
            return fs;
        }
        java.util.Collections.reverse(out);
        return out.toArray(new Field[0]);
    }

    private static byte[] render(Field[] fs) {
        int n = 2 + Math.max(0, fs.length - 1);
        for (Field f : fs) {
            n += f.nameLen + 1 + f.valLen;
        }
        byte[] out = new byte[n];
        int p = 0;
        out[p++] = '{';
        for (int i = 0; i < fs.length; i++) {
            Field f = fs[i];
            if (i > 0) {
                out[p++] = ',';
            }
            System.arraycopy(f.nameBuf, f.nameOff, out, p, f.nameLen);
            p += f.nameLen;
            out[p++] = ':';
            System.arraycopy(f.valBuf, f.valOff, out, p, f.valLen);
            p += f.valLen;
        }
        out[p] = '}';
        return out;
    }

    static byte[] quote(String text) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(text);
        byte[] out = new byte[inner.length + 2];
        out[0] = '"';
        System.arraycopy(inner, 0, out, 1, inner.length);
        out[out.length - 1] = '"';
        return out;
    }

    static String unquote(byte[] buf, int off, int len) {
        try (JsonParser p = FACTORY.createParser(buf, off, len)) {
            p.nextToken();
            return p.getText();
        } catch (IOException e) {
            throw new UncheckedIOException("malformed JSON string", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** A field name in the forms a comparison needs: the text, its UTF-8 bytes, and its quoted JSON form. */
    record FieldName(String text, byte[] utf8, byte[] quoted) {
        static FieldName of(String text) {
            Objects.requireNonNull(text, "field name must not be null");
            return new FieldName(text, text.getBytes(StandardCharsets.UTF_8), quote(text));
        }

        static FieldName[] all(Collection<String> names) {
            FieldName[] out = new FieldName[names.size()];
            int i = 0;
            for (String n : names) {
                out[i++] = of(n);
            }
            return out;
        }
    }

    /** One field: its name as quoted JSON text and its value's text, each a span of some buffer. */
    static final class Field {
        final byte[] nameBuf;
        final int nameOff;
        final int nameLen;
        final boolean nameEscaped;
        final byte[] valBuf;
        final int valOff;
        final int valLen;
        private String name;
        private LazyJson value;

        Field(byte[] nameBuf, int nameOff, int nameLen, boolean nameEscaped, byte[] valBuf, int valOff, int valLen) {
            this.nameBuf = nameBuf;
            this.nameOff = nameOff;
            this.nameLen = nameLen;
            this.nameEscaped = nameEscaped;
            this.valBuf = valBuf;
            this.valOff = valOff;
            this.valLen = valLen;
        }

        static Field of(FieldName name, LazyJson value) {
            Field f = new Field(name.quoted(), 0, name.quoted().length, true, value.spanBuf(), value.spanOff(),
                    value.spanLen());
            f.name = name.text();
            f.value = value;
            return f;
        }

        Field named(FieldName n) {
            Field f = new Field(n.quoted(), 0, n.quoted().length, true, valBuf, valOff, valLen);
            f.name = n.text();
            f.value = value;
            return f;
        }

        Field withValue(LazyJson v) {
            Field f = new Field(nameBuf, nameOff, nameLen, nameEscaped, v.spanBuf(), v.spanOff(), v.spanLen());
            f.name = name;
            f.value = v;
            return f;
        }

        boolean is(FieldName n) {
            if (name != null) {
                return name.equals(n.text());
            }
            if (!nameEscaped) {
                return nameLen - 2 == n.utf8().length
                        && Arrays.equals(nameBuf, nameOff + 1, nameOff + nameLen - 1, n.utf8(), 0, n.utf8().length);
            }
            return name().equals(n.text());
        }

        String name() {
            String n = name;
            if (n == null) {
                n = nameEscaped ? unquote(nameBuf, nameOff, nameLen)
                        : new String(nameBuf, nameOff + 1, nameLen - 2, StandardCharsets.UTF_8);
                name = n;
            }
            return n;
        }

        LazyJson value() {
            LazyJson v = value;
            if (v == null) {
                v = new LazyJson(valBuf, valOff, valLen);
                value = v;
            }
            return v;
        }

        boolean valueIsNonEmptyObject() {
            if (valBuf[valOff] != '{' && (value == null || value.src != null)) {
                return false;
            }
            Field[] fs = value().fields();
            return fs != null && fs.length > 0;
        }
    }

    /** The scanner: finds value boundaries in valid JSON without building anything. */
    static final class Scan {
        private Scan() {
        }

        static int skipWs(byte[] b, int i, int end) {
            while (i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
                i++;
            }
            return i;
        }

        /** The fields of the object whose '{' is at {@code i}. */
        static Field[] fields(byte[] b, int i, int end) {
            List<Field> out = new ArrayList<>(16);
            i = skipWs(b, i + 1, end);
            if (i < end && b[i] == '}') {
                return new Field[0];
            }
            while (true) {
                if (i >= end || b[i] != '"') {
                    throw malformed(i);
                }
                int nameStart = i;
                boolean escaped = false;
                i++;
                while (true) {
                    if (i >= end) {
                        throw malformed(i);
                    }
                    byte c = b[i];
                    if (c == '\\') {
                        escaped = true;
                        i += 2;
                    } else if (c == '"') {
                        i++;
                        break;
                    } else {
                        i++;
                    }
                }
                int nameEnd = i;
                i = skipWs(b, i, end);
                if (i >= end || b[i] != ':') {
                    throw malformed(i);
                }
                int valStart = skipWs(b, i + 1, end);
                int valEnd = endOfValue(b, valStart, end);
                out.add(new Field(b, nameStart, nameEnd - nameStart, escaped, b, valStart, valEnd - valStart));
                i = skipWs(b, valEnd, end);
                if (i < end && b[i] == ',') {
                    i = skipWs(b, i + 1, end);
                } else if (i < end && b[i] == '}') {
                    return out.toArray(new Field[0]);
                } else {
                    throw malformed(i);
                }
            }
        }

        static int endOfValue(byte[] b, int i, int end) {
            if (i >= end) {
                throw malformed(i);
            }
            byte c = b[i];
            if (c == '"') {
                return endOfString(b, i, end);
            }
            if (c == '{' || c == '[') {
                int depth = 0;
                while (i < end) {
                    if (i + 8 <= end) {
                        // eight bytes at a time past numbers, literals, commas and colons
                        long m = structural((long) LONGS.get(b, i));
                        if (m == 0) {
                            i += 8;
                            continue;
                        }
                        i += Long.numberOfTrailingZeros(m) >>> 3;
                    }
                    c = b[i];
                    if (c == '"') {
                        i = endOfString(b, i, end);
                        continue;
                    }
                    if (c == '{' || c == '[') {
                        depth++;
                    } else if (c == '}' || c == ']') {
                        if (--depth == 0) {
                            return i + 1;
                        }
                    }
                    i++;
                }
                throw malformed(i);
            }
            while (i < end) {
                c = b[i];
                if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    break;
                }
                i++;
            }
            return i;
        }

        private static final java.lang.invoke.VarHandle LONGS =
                java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
        private static final long ONES = 0x0101010101010101L;
        private static final long HIGHS = 0x8080808080808080L;
        private static final long QUOTES = 0x2222222222222222L;
        private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

        /**
         * A mask whose lowest set bit is in the first byte of {@code w} (little-endian) that is a quote or a
         * backslash; 0 when there is none (the classic zero-byte test: exact up to the first match).
         */
        private static long quoteOrBackslash(long w) {
            long q = w ^ QUOTES;
            long s = w ^ BACKSLASHES;
            return (((q - ONES) & ~q) | ((s - ONES) & ~s)) & HIGHS;
        }

        private static final long SIXES = 0x0606060606060606L;
        private static final long BRACES = 0x7F7F7F7F7F7F7F7FL; // '{' and '}' with bits 1 and 2 set
        private static final long BRACKETS = 0x5F5F5F5F5F5F5F5FL; // '[' and ']' likewise

        /**
         * Like {@link #quoteOrBackslash}, for quotes, braces and brackets; a few other bytes match too
         * ({@code y z | ~ Y Z \ ^ _}), which only sends the scan to its byte-by-byte step.
         */
        private static long structural(long w) {
            long q = w ^ QUOTES;
            long o = (w | SIXES) ^ BRACES;
            long a = (w | SIXES) ^ BRACKETS;
            return (((q - ONES) & ~q) | ((o - ONES) & ~o) | ((a - ONES) & ~a)) & HIGHS;
        }

        /** The index after the closing quote of the string whose opening quote is at {@code i}. */
        static int endOfString(byte[] b, int i, int end) {
            i++;
            while (true) {
                if (i + 8 <= end) {
                    // eight plain string bytes at a time: most of a document's bytes are inside strings
                    long m = quoteOrBackslash((long) LONGS.get(b, i));
                    if (m == 0) {
                        i += 8;
                        continue;
                    }
                    i += Long.numberOfTrailingZeros(m) >>> 3;
                } else if (i >= end) {
                    throw malformed(i);
                }
                byte c = b[i];
                if (c == '\\') {
                    i += 2;
                } else if (c == '"') {
                    return i + 1;
                } else {
                    i++;
                }
            }
        }

        private static IllegalArgumentException malformed(int at) {
            return new IllegalArgumentException("malformed JSON near byte " + at);
        }
    }
}
