package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.FormatContext;
import io.ksbridge.IngestException;
import io.ksbridge.LazyJson;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.RecordTransform;
import io.ksbridge.TransformException;
import io.ksbridge.TransformRecord;
import io.ksbridge.Transforms;
import io.ksbridge.format.TypedColumns;
import io.ksbridge.ingest.IngestRow;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A Kafka record to a row: the value (or the null-value behaviour) through the record format, the metadata with the
 * key through the key format, the transform (which may change the record, filter it out or make several rows of it,
 * all with the record's offset), the size limit. Polling thread; reuses its buffers record after record.
 */
final class RecordConverter {
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    /**
     * What became of one record: a row (and, from a transform, more rows of the same offset), nothing (an ignored
     * null, a record a transform filtered out), a bad record, or a failure worth retrying.
     */
    static final class Converted {
        IngestRow row;
        List<IngestRow> more = List.of();
        RecordFormatException bad;
        IngestException retriable;
        /** With a router: what it sees of each row (row, then more), else null. */
        List<TransformRecord> views;

        /** Bytes of every row. */
        long rowBytes() {
            long n = row.sizeInBytes();
            for (IngestRow r : more) {
                n += r.sizeInBytes();
            }
            return n;
        }
    }

    private final BridgeSettings s;
    private final MetadataWriter metadata;
    private final RowOutput valueOut = new RowOutput();
    private final RowOutput keyOut = new RowOutput();
    private final Ctx ctx = new Ctx();
    private final RecordTransform transform;
    private final BridgeListener listener;
    private final boolean routed;
    /** The transform's declared columns, or null; merged over the format's, the last merge kept (one per schema). */
    private final TypedColumns transformColumns;
    private TypedColumns mergedFrom;
    private TypedColumns merged;

    RecordConverter(BridgeSettings settings, MetadataWriter metadata, BridgeListener listener) {
        this.s = settings;
        this.metadata = metadata;
        this.transform = settings.transform();
        this.transformColumns = transform == null ? null : transform.columns();
        this.listener = listener;
        this.routed = settings.router() != null;
    }

    Converted convert(ConsumerRecord<byte[], byte[]> rec) {
        Converted out = new Converted();
        RecordFormatException.Side side = RecordFormatException.Side.VALUE;
        try {
            int pushTimeAt = -1;
            byte[] content;
            Integer schemaId = null;
            if (rec.value() == null) {
                if (s.nullValues() == NullValueBehavior.IGNORE) {
                    return out;
                }
                content = EMPTY_OBJECT;
            } else {
                ctx.set(rec, false);
                content = valueOut.convert(s.format(), rec.value(), ctx);
                schemaId = valueOut.schemaId();
            }
            if (transform != null) {
                return transformed(rec, content, schemaId, out);
            }
            byte[] meta = null;
            byte[] keyJson = null;
            if (metadata.enabled() || routed) {
                Integer keySchemaId = null;
                if (rec.key() != null) {
                    side = RecordFormatException.Side.KEY;
                    ctx.set(rec, true);
                    keyJson = keyOut.convert(s.keyFormat(), rec.key(), ctx);
                    keySchemaId = keyOut.schemaId();
                }
                if (metadata.enabled()) {
                    meta = metadata.render(rec, schemaId, keyJson, keySchemaId);
                    pushTimeAt = metadata.pushTimeAt();
                }
            }
            IngestRow row = new IngestRow(rec.offset(), content, meta, pushTimeAt,
                    rec.value() == null ? null : valueOut.columns());
            if (routed) {
                out.views = List.of(TransformRecord.of(coordinates(rec), rec.timestamp(),
                        keyJson == null ? null : LazyJson.of(keyJson), LazyJson.of(content), rec.headers()));
            }
            if (!fits(rec, row, out)) {
                return out;
            }
            out.row = row;
        } catch (TransformException e) {
            out.bad = new RecordFormatException(coordinates(rec), RecordFormatException.Side.RECORD, e.getMessage(), e);
        } catch (IngestException e) {
            if (!e.isRetriable()) {
                // not the record's fault (a registry refusing our credentials): stop rather than route every record
                throw new IngestException("cannot convert record " + coordinates(rec) + ": " + e.getMessage(), false, e);
            }
            out.retriable = e;
        } catch (Exception e) {
            out.bad = new RecordFormatException(coordinates(rec), side, reason(e), e);
        }
        return out;
    }

    /** The format's columns with the transform's over them. */
    private TypedColumns columns(TypedColumns format) {
        if (transformColumns == null) {
            return format;
        }
        if (format == null) {
            return transformColumns;
        }
        if (format != mergedFrom) {
            merged = format.with(transformColumns);
            mergedFrom = format;
        }
        return merged;
    }

    /** The transform's rows for a record whose value is converted; the key converted for it. */
    private Converted transformed(ConsumerRecord<byte[], byte[]> rec, byte[] content, Integer schemaId, Converted out)
            throws Exception {
        byte[] keyJson = null;
        Integer keySchemaId = null;
        if (rec.key() != null) {
            ctx.set(rec, true);
            try {
                keyJson = keyOut.convert(s.keyFormat(), rec.key(), ctx);
            } catch (IngestException e) {
                throw e;
            } catch (Exception e) {
                out.bad = new RecordFormatException(coordinates(rec), RecordFormatException.Side.KEY, reason(e), e);
                return out;
            }
            keySchemaId = keyOut.schemaId();
        }
        TransformRecord in = TransformRecord.of(coordinates(rec), rec.timestamp(),
                keyJson == null ? null : LazyJson.of(keyJson), LazyJson.of(content), rec.headers());
        List<TransformRecord> results = Transforms.applyTo(transform, in);
        if (results.isEmpty()) {
            listener.onFilter(new BridgeEvents.Filtered(in.coordinates(), transform.name()));
            return out;
        }
        IngestRow[] rows = new IngestRow[results.size()];
        for (int i = 0; i < rows.length; i++) {
            TransformRecord r = results.get(i);
            if (r == null) {
                throw new TransformException(transform.name(), new NullPointerException("a returned record is null"));
            }
            byte[] meta = null;
            int pushTimeAt = -1;
            if (metadata.enabled()) {
                meta = metadata.render(rec, r.headers(), schemaId, r.key() == null ? null : r.key().bytes(), keySchemaId);
                pushTimeAt = metadata.pushTimeAt();
            }
            // a transform may drop or rename fields: the declared columns type the fields they still name
            rows[i] = new IngestRow(rec.offset(), r.value().bytes(), meta, pushTimeAt,
                    columns(rec.value() == null ? null : valueOut.columns()));
            if (!fits(rec, rows[i], out)) {
                return out;
            }
        }
        out.row = rows[0];
        out.views = routed ? results : null;
        out.more = rows.length == 1 ? List.of() : List.of(rows).subList(1, rows.length);
        return out;
    }

    private boolean fits(ConsumerRecord<byte[], byte[]> rec, IngestRow row, Converted out) {
        if (row.sizeInBytes() > s.maxRecordBytes()) {
            out.bad = new RecordFormatException(coordinates(rec), RecordFormatException.Side.RECORD,
                    "the row is " + row.sizeInBytes() + " bytes, over maxRecordBytes (" + s.maxRecordBytes() + ")", null);
            return false;
        }
        return true;
    }

    /** Bytes a row keeps alive beyond its content and metadata: the source key and value, unless shared. */
    static long sourceBytes(ConsumerRecord<byte[], byte[]> rec, IngestRow row) {
        long n = 0;
        if (rec.value() != null && rec.value() != row.content()) {
            n += rec.value().length;
        }
        if (rec.key() != null) {
            n += rec.key().length;
        }
        return n;
    }

    static RecordCoordinates coordinates(ConsumerRecord<?, ?> rec) {
        return new RecordCoordinates(rec.topic(), rec.partition(), rec.offset());
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The format context: one mutable instance, reused record after record on the polling thread. */
    private static final class Ctx implements FormatContext {
        private ConsumerRecord<byte[], byte[]> rec;
        private boolean key;

        void set(ConsumerRecord<byte[], byte[]> rec, boolean key) {
            this.rec = rec;
            this.key = key;
        }

        @Override
        public String topic() {
            return rec.topic();
        }

        @Override
        public int partition() {
            return rec.partition();
        }

        @Override
        public long offset() {
            return rec.offset();
        }

        @Override
        public boolean isKey() {
            return key;
        }

        @Override
        public Headers headers() {
            return rec.headers();
        }
    }
}
