package io.ksbridge.transforms.connect;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordTransform;
import io.ksbridge.TransformRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;

/** One Connect transformation over schemaless key and value read from the record's JSON. Not thread-safe. */
final class ConnectTransform implements RecordTransform {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Transformation<SinkRecord> transformation;
    private final String name;

    ConnectTransform(Transformation<SinkRecord> transformation, String name) {
        this.transformation = transformation;
        this.name = name;
    }

    @Override
    public List<TransformRecord> apply(TransformRecord r) throws Exception {
        ConnectHeaders headers = new ConnectHeaders();
        for (org.apache.kafka.common.header.Header h : r.headers()) {
            headers.addString(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        Object key = r.key() == null ? null : JSON.readValue(r.key().bytes(), Object.class);
        Object value = JSON.readValue(r.value().bytes(), Object.class);
        SinkRecord in = new SinkRecord(r.topic(), r.partition(), null, key, null, value, r.offset(),
                r.timestamp() < 0 ? null : r.timestamp(), r.timestamp() < 0 ? TimestampType.NO_TIMESTAMP_TYPE
                : TimestampType.CREATE_TIME, headers);
        SinkRecord out = transformation.apply(in);
        if (out == null) {
            return List.of();
        }
        if (!r.topic().equals(out.topic()) || out.kafkaPartition() == null || out.kafkaPartition() != r.partition()) {
            throw new IllegalStateException("the transformation moved the record to " + out.topic() + "-"
                    + out.kafkaPartition() + "; changing topic or partition is not supported");
        }
        TransformRecord result = r.withValue(json(out.value(), "value"));
        if (out.key() != key) {
            result = result.withKey(out.key() == null ? null : json(out.key(), "key"));
        }
        if (!same(headers, out.headers())) {
            RecordHeaders back = new RecordHeaders();
            for (Header h : out.headers()) {
                Object v = h.value();
                byte[] bytes = v == null ? null
                        : v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(v);
                back.add(h.key(), bytes);
            }
            result = result.withHeaders(back);
        }
        return List.of(result);
    }

    /** True when the transformation left the headers as they were (then the original bytes are kept). */
    private static boolean same(ConnectHeaders in, org.apache.kafka.connect.header.Headers out) {
        if (in == out) {
            return true;
        }
        if (in.size() != out.size()) {
            return false;
        }
        java.util.Iterator<Header> a = in.iterator();
        java.util.Iterator<Header> b = out.iterator();
        while (a.hasNext()) {
            Header x = a.next();
            Header y = b.next();
            if (!x.key().equals(y.key()) || !java.util.Objects.equals(x.value(), y.value())) {
                return false;
            }
        }
        return true;
    }

    private static LazyJson json(Object v, String what) throws Exception {
        if (v instanceof Struct) {
            throw new IllegalStateException("the transformation returned a Struct " + what
                    + "; only schemaless values (maps, lists, strings, numbers) can be loaded");
        }
        if (v == null) {
            return LazyJson.ofNull();
        }
        return LazyJson.of(JSON.writeValueAsBytes(v));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
