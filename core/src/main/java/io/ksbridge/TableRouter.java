package io.ksbridge;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Chooses the Snowflake table of one record, beside {@link TableNamer} (topic to table, the default). A derived name
 * (a field's or a header's value) goes through a {@link TableNamer}, so the connector's naming rules apply to it as
 * to a topic. A record with no value to route by goes to its topic's table. Implementations must be thread-safe;
 * the bridge calls {@link #route} on its polling thread, once per row, after the format and the transforms.
 *
 * <p>Set with {@link KafkaToSnowflakeBridge.Builder#router}: each table a partition feeds is its own lane in the
 * backend, the partition's committed offset is the lowest point durable in every table, and a restart drops per table
 * what that table already holds (exactly once per table). See docs/design-notes.md, "Routing by record".
 */
@FunctionalInterface
public interface TableRouter {

    /**
     * The table of {@code record}, as {@link TableNamer#tableName} returns names.
     *
     * @param record the record after the format and transforms, never null
     * @param topicTable the table its topic maps to, never null
     * @return the table, never null or empty
     */
    String route(TransformRecord record, String topicTable);

    /** Routes by the text of a value field at a dotted path, named by {@code namer}. */
    static TableRouter byField(String path, TableNamer namer) {
        Objects.requireNonNull(path, "path must not be null");
        return new NamedRouter("byField(" + path + ")", derived(r -> {
            LazyJson v = r.value() == null || !r.value().isObject() ? null : r.value().at(path);
            return v == null || v.isNull() ? null : v.asText();
        }, namer));
    }

    /** Routes by the value of a header, named by {@code namer}. */
    static TableRouter byHeader(String header, TableNamer namer) {
        Objects.requireNonNull(header, "header must not be null");
        return new NamedRouter("byHeader(" + header + ")", derived(r -> r.header(header), namer));
    }

    /**
     * Routes by a name {@code fn} derives from the record (null or empty: the topic's table), named by {@code namer};
     * derived names are named once per distinct value.
     */
    static TableRouter derived(Function<TransformRecord, String> fn, TableNamer namer) {
        Objects.requireNonNull(fn, "fn must not be null");
        Objects.requireNonNull(namer, "namer must not be null");
        ConcurrentHashMap<String, String> names = new ConcurrentHashMap<>();
        return (record, topicTable) -> {
            String raw = fn.apply(record);
            if (raw == null || raw.isEmpty()) {
                return topicTable;
            }
            String cached = names.get(raw);
            if (cached != null) {
                return cached;
            }
            // bounded: a high-cardinality field is named per record rather than growing the cache without end
            return names.size() < 4096 ? names.computeIfAbsent(raw, namer::tableName) : namer.tableName(raw);
        };
    }
}
