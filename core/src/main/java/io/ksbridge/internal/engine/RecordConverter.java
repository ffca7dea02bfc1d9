package io.ksbridge.internal.engine;

import io.ksbridge.BridgeSettings;
import io.ksbridge.FormatContext;
import io.ksbridge.IngestException;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.ingest.IngestRow;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A Kafka record to a row: the value (or the null-value behaviour) through the record format, the metadata with the
 * key through the key format, the size limit. Polling thread; reuses its buffers record after record.
 */
final class RecordConverter {
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    /** What became of one record: a row, nothing (ignored null), a bad record, or a failure worth retrying. */
    static final class Converted {
        IngestRow row;
        RecordFormatException bad;
        IngestException retriable;
    }

    private final BridgeSettings s;
    private final MetadataWriter metadata;
    private final RowOutput valueOut = new RowOutput();
    private final RowOutput keyOut = new RowOutput();
    private final Ctx ctx = new Ctx();

    RecordConverter(BridgeSettings settings, MetadataWriter metadata) {
        this.s = settings;
        this.metadata = metadata;
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
            byte[] meta = null;
            if (metadata.enabled()) {
                byte[] keyJson = null;
                Integer keySchemaId = null;
                if (rec.key() != null) {
                    side = RecordFormatException.Side.KEY;
                    ctx.set(rec, true);
                    keyJson = keyOut.convert(s.keyFormat(), rec.key(), ctx);
                    keySchemaId = keyOut.schemaId();
                }
                meta = metadata.render(rec, schemaId, keyJson, keySchemaId);
                pushTimeAt = metadata.pushTimeAt();
            }
            IngestRow row = new IngestRow(rec.offset(), content, meta, pushTimeAt);
            if (row.sizeInBytes() > s.maxRecordBytes()) {
                out.bad = new RecordFormatException(coordinates(rec), RecordFormatException.Side.RECORD,
                        "the row is " + row.sizeInBytes() + " bytes, over maxRecordBytes (" + s.maxRecordBytes() + ")", null);
                return out;
            }
            out.row = row;
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
