package io.ksbridge.internal.engine;

import io.ksbridge.MetadataOptions;
import io.ksbridge.format.JsonFormat;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/**
 * Renders {@code RECORD_METADATA} as the connector does: {@code topic}, {@code offset}, {@code partition},
 * {@code CreateTime}/{@code LogAppendTime}, {@code schema_id}, {@code SnowflakeConnectorPushTime}, {@code key},
 * {@code key_schema_id}, {@code headers}. Written straight to bytes. Not thread-safe.
 */
public final class MetadataWriter {
    static final int PUSH_TIME_DIGITS = io.ksbridge.ingest.IngestRow.PUSH_TIME_DIGITS;

    private final MetadataOptions options;
    private final boolean pushTime;
    private final ByteBuf buf = new ByteBuf(512);
    private int pushTimeAt = -1;

    public MetadataWriter(MetadataOptions options, boolean backendStampsPushTime) {
        this.options = options;
        this.pushTime = backendStampsPushTime && options.connectorPushTime();
    }

    boolean enabled() {
        return options.enabled();
    }

    /** Where the push-time digits start in the last rendered metadata, or -1. */
    int pushTimeAt() {
        return pushTimeAt;
    }

    public byte[] render(ConsumerRecord<byte[], byte[]> record, Integer schemaId, byte[] keyJson, Integer keySchemaId) {
        return render(record, record.headers(), schemaId, keyJson, keySchemaId);
    }

    /** Like {@link #render(ConsumerRecord, Integer, byte[], Integer)}, with the headers a transform left. */
    byte[] render(ConsumerRecord<byte[], byte[]> record, org.apache.kafka.common.header.Headers recordHeaders,
            Integer schemaId, byte[] keyJson, Integer keySchemaId) {
        buf.reset();
        pushTimeAt = -1;
        buf.write('{');
        boolean first = true;
        if (options.topic()) {
            first = field(first, "topic");
            buf.jsonString(record.topic());
        }
        if (options.offsetAndPartition()) {
            first = field(first, "offset");
            buf.number(record.offset());
            first = field(first, "partition");
            buf.number(record.partition());
        }
        if (options.createTime() && record.timestamp() >= 0) {
            if (record.timestampType() == TimestampType.CREATE_TIME) {
                first = field(first, "CreateTime");
                buf.number(record.timestamp());
            } else if (record.timestampType() == TimestampType.LOG_APPEND_TIME) {
                first = field(first, "LogAppendTime");
                buf.number(record.timestamp());
            }
        }
        if (schemaId != null) {
            first = field(first, "schema_id");
            buf.number(schemaId);
        }
        if (pushTime) {
            first = field(first, "SnowflakeConnectorPushTime");
            pushTimeAt = buf.length();
            buf.ascii("0".repeat(PUSH_TIME_DIGITS));
        }
        if (keyJson != null) {
            first = field(first, "key");
            buf.append(keyJson);
            if (keySchemaId != null) {
                field(false, "key_schema_id");
                buf.number(keySchemaId);
            }
        }
        Header[] headers = recordHeaders.toArray();
        if (headers.length > 0) {
            field(first, "headers");
            buf.write('{');
            // Later headers with the same key win, as in a JSON object built key by key.
            java.util.LinkedHashMap<String, byte[]> byKey = new java.util.LinkedHashMap<>();
            for (Header h : headers) {
                byKey.put(h.key(), h.value());
            }
            boolean firstHeader = true;
            for (var e : byKey.entrySet()) {
                if (!firstHeader) {
                    buf.write(',');
                }
                firstHeader = false;
                buf.jsonString(e.getKey());
                buf.write(':');
                headerValue(e.getValue());
            }
            buf.write('}');
        }
        buf.write('}');
        return buf.toByteArray();
    }

    private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("-?[0-9]+");
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    /**
     * A header value typed as the connector's default header converter (Kafka Connect's
     * {@code SimpleHeaderConverter}) types it: {@code true}/{@code false} become booleans, numbers become numbers
     * ({@code 007} is 7), JSON arrays and objects stay structured, anything else (and bytes that are not UTF-8 text)
     * is a string; a null value is null.
     */
    private void headerValue(byte[] value) {
        if (value == null) {
            buf.ascii("null");
            return;
        }
        String text = new String(value, StandardCharsets.UTF_8);
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            buf.ascii(text.toLowerCase(java.util.Locale.ROOT));
        } else if (text.length() <= 400 && INTEGER.matcher(text).matches()) {
            buf.ascii(new java.math.BigInteger(text).toString());
        } else if (text.length() <= 400 && DECIMAL.matcher(text).matches()) {
            buf.ascii(new java.math.BigDecimal(text).toString().replace("E+", "E"));
        } else if (!text.isEmpty() && (text.charAt(0) == '[' || text.charAt(0) == '{')
                && text.indexOf('\n') < 0 && text.indexOf('\r') < 0 && JsonFormat.isValid(value)) {
            buf.append(value);
        } else {
            buf.jsonString(text);
        }
    }

    private boolean field(boolean first, String name) {
        if (!first) {
            buf.write(',');
        }
        buf.write('"');
        buf.ascii(name);
        buf.write('"');
        buf.write(':');
        return false;
    }
}
