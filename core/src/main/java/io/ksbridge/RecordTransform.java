package io.ksbridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Changes records in flight, after the {@link RecordFormat} and before the row is buffered: it sees the record's
 * value and key as JSON ({@link LazyJson}) and its headers, and returns what to load in its place.
 * <ul>
 *   <li>{@code List.of(record)} (or a changed record): one row;</li>
 *   <li>an empty list: the record is filtered out. It is counted and reported
 *       ({@link BridgeListener#onFilter}), and its offset counts as handled: the partition's committed offset moves
 *       past it like past any loaded record;</li>
 *   <li>several records: one row each, all with the record's topic, partition and offset. They are buffered together
 *       and always land in the same batch, so they are durable together: a Streaming offset token (one per offset)
 *       covers all of them, and a Snowpipe file holds all of them or none. After a crash the offset is read again and
 *       the transform runs again: it must give the same rows for the same record for loads to stay exactly once.</li>
 * </ul>
 * A transform that throws is an error of the record: the bridge wraps it in a {@link RecordFormatException} naming
 * the record (topic, partition, offset) and the transform, and routes the record by the {@link ErrorPolicy}.
 *
 * <p>Built-ins are in {@link Transforms}; transforms compose with {@link #andThen}. Threading: called on the
 * polling thread only, one record at a time; a transform shared between bridges must be thread-safe (the built-ins
 * are). Keep it fast: {@link LazyJson} edits copy spans of the original text rather than rebuilding the document.
 * The SPI grows by {@code default} methods only.
 */
@FunctionalInterface
public interface RecordTransform {

    /**
     * Transforms one record.
     *
     * @param record the record, never null
     * @return the records to load instead, never null; empty to filter the record out
     * @throws Exception when the record cannot be transformed; routed by the {@link ErrorPolicy}
     */
    List<TransformRecord> apply(TransformRecord record) throws Exception;

    /** A short name for errors, events and logs. Defaults to the class's simple name. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * The typed columns of the fields this transform writes, for a backend with schematization: they take the place
     * of the format's declared column for the same field, and of the type inferred from the value. The built-ins
     * declare them ({@link Transforms#insertMetadata} an offset as {@code NUMBER(19,0)} and a timestamp as
     * {@code TIMESTAMP_LTZ(3)}; {@link Transforms#mask} and {@link Transforms#hash} their fields as {@code VARCHAR}).
     * Called once, when the bridge is built.
     *
     * @return the columns, or null (the default) when the transform declares none
     */
    default io.ksbridge.format.TypedColumns columns() {
        return null;
    }

    /**
     * This transform, then {@code next} on each record it returns. An error names the transform that failed.
     *
     * @param next the next transform, never null
     */
    default RecordTransform andThen(RecordTransform next) {
        Objects.requireNonNull(next, "next transform must not be null");
        RecordTransform self = this;
        return new RecordTransform() {
            @Override
            public List<TransformRecord> apply(TransformRecord record) throws Exception {
                List<TransformRecord> first = Transforms.run(self, record);
                if (first.size() == 1) {
                    return Transforms.run(next, first.get(0));
                }
                List<TransformRecord> out = new ArrayList<>(first.size());
                for (TransformRecord r : first) {
                    out.addAll(Transforms.run(next, r));
                }
                return out;
            }

            @Override
            public String name() {
                return self.name() + ".andThen(" + next.name() + ")";
            }

            @Override
            public io.ksbridge.format.TypedColumns columns() {
                io.ksbridge.format.TypedColumns first = self.columns();
                return first == null ? next.columns() : first.with(next.columns());
            }

            @Override
            public String toString() {
                return name();
            }
        };
    }
}
