package io.ksbridge;

import io.ksbridge.format.TypedColumns;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The built-in {@link RecordTransform}s. Each works on the record's value, at its top level (flatten and the field
 * filter also reach into nested objects), leaves a value that is not a JSON object as it is, and does nothing for a
 * field that is absent. Each is immutable and thread-safe; combine them with {@link RecordTransform#andThen}:
 * <pre>{@code
 * RecordTransform shape = Transforms.hash(Secret.of(pepper), "email")
 *         .andThen(Transforms.drop("ssn"))
 *         .andThen(Transforms.flatten("_"))
 *         .andThen(Transforms.filterByHeader("type", t -> !"heartbeat".equals(t)));
 * }</pre>
 */
public final class Transforms {
    /** What {@link #mask(String...)} writes in place of a value. */
    public static final String DEFAULT_MASK = "****";

    /** A metadata field for {@link #insertMetadata}. */
    public enum MetadataField {
        /** The topic, as a string. */
        TOPIC,
        /** The partition, as a number. */
        PARTITION,
        /** The offset, as a number. */
        OFFSET,
        /** The record's timestamp in epoch milliseconds, as a number; null when the record has none. */
        TIMESTAMP;

        /** The column a schematized table gives the field: typed, not inferred from the value. */
        TypedColumns.Column column(String field) {
            return switch (this) {
                case TOPIC -> TypedColumns.Column.of(field, "VARCHAR");
                case PARTITION -> TypedColumns.Column.of(field, "NUMBER(10,0)");
                case OFFSET -> TypedColumns.Column.of(field, "NUMBER(19,0)");
                case TIMESTAMP -> new TypedColumns.Column(field, "TIMESTAMP_LTZ(3)", true, TypedColumns.Encoding.EPOCH_MILLIS);
            };
        }
    }

    private Transforms() {
    }

    /**
     * Removes top-level fields.
     *
     * @param fields names, at least one, none null
     */
    public static RecordTransform drop(String... fields) {
        List<String> names = names("drop", fields);
        LazyJson.FieldName[] fn = LazyJson.FieldName.all(names);
        return named("drop" + names, r -> one(r.withValue(r.value().without(fn))));
    }

    /** Replaces the values of top-level fields with {@code "****"} ({@link #DEFAULT_MASK}); JSON null stays null. */
    public static RecordTransform mask(String... fields) {
        return mask(DEFAULT_MASK, List.of(fields));
    }

    /**
     * Replaces the values of top-level fields with a fixed string; JSON null stays null.
     *
     * @param replacement the string written instead, never null
     * @param fields      names, at least one, none null
     */
    public static RecordTransform mask(String replacement, Collection<String> fields) {
        Objects.requireNonNull(replacement, "mask replacement must not be null");
        List<String> names = names("mask", fields.toArray(new String[0]));
        LazyJson.FieldName[] fn = LazyJson.FieldName.all(names);
        LazyJson masked = LazyJson.ofString(replacement);
        return named("mask" + names, text(names), r -> one(r.withValue(r.value().mapValues(fn, v -> v.isNull() ? v : masked))));
    }

    /**
     * Replaces the values of top-level fields with their keyed hash: HMAC-SHA256 under {@code key}, as 64 lower-case
     * hex digits in a JSON string. The same value always gives the same hash (joins still work), and without the key
     * nobody can test guesses against it. A string is hashed as its text (UTF-8), any other value as its JSON text;
     * JSON null stays null. The key is never shown: not in {@code name()}, {@code toString()} or errors.
     *
     * @param key    the HMAC key, never null or empty
     * @param fields names, at least one, none null
     */
    public static RecordTransform hash(Secret key, String... fields) {
        Objects.requireNonNull(key, "hash key must not be null");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("hash key must not be empty");
        }
        List<String> names = names("hash", fields);
        LazyJson.FieldName[] fn = LazyJson.FieldName.all(names);
        SecretKeySpec spec = new SecretKeySpec(key.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        ThreadLocal<Mac> macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(spec);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        });
        macs.get(); // fail here, not on the first record, when the JVM lacks it
        return named("hash" + names, text(names), r -> one(r.withValue(r.value().mapValues(fn, v -> {
            if (v.isNull()) {
                return v;
            }
            byte[] in = v.kind() == LazyJson.Kind.STRING ? v.asText().getBytes(StandardCharsets.UTF_8) : v.bytes();
            return LazyJson.of(hex(macs.get().doFinal(in)));
        }))));
    }

    /**
     * Sets a top-level field to a fixed value (replacing a field of that name).
     *
     * @param field the name, never null
     * @param value the value, never null
     */
    public static RecordTransform insert(String field, LazyJson value) {
        Objects.requireNonNull(value, "insert value must not be null");
        LazyJson.FieldName fn = LazyJson.FieldName.of(field);
        return named("insert[" + field + "]", r -> one(r.value().isObject() ? r.withValue(r.value().with(fn, value)) : r));
    }

    /** Sets a top-level field to a fixed string. */
    public static RecordTransform insert(String field, String text) {
        return insert(field, LazyJson.ofString(text));
    }

    /**
     * Sets a top-level field to one of the record's Kafka coordinates (replacing a field of that name).
     *
     * @param field the name, never null
     * @param which which metadata, never null
     */
    public static RecordTransform insertMetadata(String field, MetadataField which) {
        Objects.requireNonNull(which, "metadata field must not be null");
        LazyJson.FieldName fn = LazyJson.FieldName.of(field);
        return named("insert[" + field + "=" + which.name().toLowerCase(java.util.Locale.ROOT) + "]",
                TypedColumns.of(List.of(which.column(field))), r -> {
            if (!r.value().isObject()) {
                return one(r);
            }
            LazyJson v = switch (which) {
                case TOPIC -> LazyJson.ofString(r.topic());
                case PARTITION -> LazyJson.ofNumber(r.partition());
                case OFFSET -> LazyJson.ofNumber(r.offset());
                case TIMESTAMP -> r.timestamp() < 0 ? LazyJson.ofNull() : LazyJson.ofNumber(r.timestamp());
            };
            return one(r.withValue(r.value().with(fn, v)));
        });
    }

    /**
     * Renames top-level fields; a renamed field replaces one that already had the new name.
     *
     * @param renames old name to new name, at least one, copied
     */
    public static RecordTransform rename(Map<String, String> renames) {
        Map<String, String> copy = Map.copyOf(renames);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("rename needs at least one field");
        }
        Map<String, String> shown = new LinkedHashMap<>(new java.util.TreeMap<>(copy));
        return named("rename" + shown, r -> one(r.withValue(r.value().renamed(copy))));
    }

    /**
     * Flattens nested objects into top-level fields named by their path joined by {@code separator}
     * ({@code {"a":{"b":1}}} with {@code "."} becomes {@code {"a.b":1}}); arrays and empty objects stay as they are.
     *
     * @param separator what joins the names, never null
     */
    public static RecordTransform flatten(String separator) {
        Objects.requireNonNull(separator, "flatten separator must not be null");
        return named("flatten(" + separator + ")", r -> one(r.withValue(r.value().flattened(separator))));
    }

    /**
     * Keeps the records for which {@code keep} is true and filters out the others (counted and reported, their
     * offsets handled).
     *
     * @param name a name for events and errors, never null
     * @param keep the predicate, never null; an exception it throws is an error of the record
     */
    public static RecordTransform filter(String name, Predicate<TransformRecord> keep) {
        Objects.requireNonNull(keep, "filter predicate must not be null");
        return named(Objects.requireNonNull(name, "filter name must not be null"),
                r -> keep.test(r) ? List.of(r) : List.of());
    }

    /**
     * Keeps the records whose value's field at {@code path} (dotted for nested fields: {@code user.country})
     * satisfies {@code keep}; the predicate receives null when the field is absent.
     */
    public static RecordTransform filterByField(String path, Predicate<LazyJson> keep) {
        Objects.requireNonNull(path, "filter field must not be null");
        Objects.requireNonNull(keep, "filter predicate must not be null");
        return filter("filter[field " + path + "]", r -> keep.test(r.value().at(path)));
    }

    /**
     * Keeps the records whose last header {@code key} (as UTF-8 text) satisfies {@code keep}; the predicate receives
     * null when the header is absent or null.
     */
    public static RecordTransform filterByHeader(String key, Predicate<String> keep) {
        Objects.requireNonNull(key, "filter header must not be null");
        Objects.requireNonNull(keep, "filter predicate must not be null");
        return filter("filter[header " + key + "]", r -> keep.test(r.header(key)));
    }

    /** Runs one transform, checking its answer and naming it in what it throws. */
    static List<TransformRecord> run(RecordTransform t, TransformRecord r) {
        List<TransformRecord> out;
        try {
            out = t.apply(r);
        } catch (TransformException e) {
            throw e;
        } catch (Exception e) {
            throw new TransformException(t.name(), e);
        }
        if (out == null) {
            throw new TransformException(t.name(), new NullPointerException("the transform returned null, not a list"));
        }
        return out;
    }

    /**
     * Runs a transform as the bridge does: its records, with any failure as a {@link TransformException} naming the
     * transform. For tests of transforms and for adapters.
     *
     * @throws TransformException when the transform throws or returns null
     */
    public static List<TransformRecord> applyTo(RecordTransform transform, TransformRecord record) {
        return run(transform, record);
    }

    private static List<TransformRecord> one(TransformRecord r) {
        return List.of(r);
    }

    private static List<String> names(String what, String[] fields) {
        if (fields.length == 0) {
            throw new IllegalArgumentException(what + " needs at least one field");
        }
        List<String> out = new ArrayList<>(fields.length);
        for (String f : fields) {
            out.add(Objects.requireNonNull(f, what + " field names must not be null"));
        }
        return List.copyOf(out);
    }

    private static byte[] hex(byte[] digest) {
        byte[] out = new byte[digest.length * 2 + 2];
        out[0] = '"';
        for (int i = 0; i < digest.length; i++) {
            out[1 + 2 * i] = (byte) Character.forDigit((digest[i] >> 4) & 0xf, 16);
            out[2 + 2 * i] = (byte) Character.forDigit(digest[i] & 0xf, 16);
        }
        out[out.length - 1] = '"';
        return out;
    }

    private interface Body {
        List<TransformRecord> apply(TransformRecord r) throws Exception;
    }

    private static RecordTransform named(String name, Body body) {
        return named(name, null, body);
    }

    /** VARCHAR columns for fields a transform replaces with text. */
    private static TypedColumns text(List<String> fields) {
        List<TypedColumns.Column> out = new ArrayList<>(fields.size());
        for (String f : fields) {
            out.add(TypedColumns.Column.of(f, "VARCHAR"));
        }
        return TypedColumns.of(out);
    }

    private static RecordTransform named(String name, TypedColumns columns, Body body) {
        return new RecordTransform() {
            @Override
            public List<TransformRecord> apply(TransformRecord record) throws Exception {
                return body.apply(record);
            }

            @Override
            public TypedColumns columns() {
                return columns;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
