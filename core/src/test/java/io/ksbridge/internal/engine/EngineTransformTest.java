package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.LazyJson;
import io.ksbridge.RecordFormatException;
import io.ksbridge.RecordTransform;
import io.ksbridge.Transforms;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Transforms in the engine: a filtered record produces no row but its offset is handled (durable offsets move past
 * it), the filtered count reaches the listener, several rows of one offset land in one batch, a failing transform
 * stops the bridge naming the record and the transform. Host loop, no broker.
 */
class EngineTransformTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private static KafkaToSnowflakeBridge bridge(ScriptedBackend backend, RecordTransform t, BridgeListener listener,
            ErrorPolicy errors) {
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .flushPolicy(FlushPolicy.records(4))
                .transform(t)
                .errorPolicy(errors)
                .listener(listener)
                .backend(backend)
                .build();
        bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
        return bridge;
    }

    private static List<String> contents(IngestBatch b) {
        List<String> out = new ArrayList<>();
        for (IngestRow r : b.rows()) {
            out.add(r.offset() + "=" + new String(r.content(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void filter_oddOffsetsFiltered_noRowsButOffsetsDurableAndCounted() {
        ScriptedBackend backend = new ScriptedBackend(false);
        List<BridgeEvents.Filtered> filtered = new CopyOnWriteArrayList<>();
        BridgeListener l = new BridgeListener() {
            @Override
            public void onFilter(BridgeEvents.Filtered event) {
                filtered.add(event);
            }
        };
        RecordTransform evenOnly = Transforms.filterByField("id", v -> Long.parseLong(v.asText()) % 2 == 0);
        try (KafkaToSnowflakeBridge bridge = bridge(backend, evenOnly.andThen(Transforms.insert("t", "x")), l,
                ErrorPolicy.failFast())) {
            bridge.accept(Polls.records(TP, 0, 4));
            assertEquals(List.of("0=" + "{\"id\":0,\"t\":\"x\"}", "2={\"id\":2,\"t\":\"x\"}"), contents(backend.arrivals.get(0)));
            assertEquals(0, backend.arrivals.get(0).firstOffset());
            assertEquals(3, backend.arrivals.get(0).lastOffset(), "the batch covers the filtered offset 3");
            backend.result(0).complete(IngestResult.durable());
            bridge.accept(Polls.records(TP, 4, 8));
            backend.result(1).complete(IngestResult.durable());
            bridge.accept(Polls.none());
            assertEquals(8, bridge.durableOffsets().get(TP).offset(), "committed past the filtered offset 7");
            assertEquals(List.of(1L, 3L, 5L, 7L), filtered.stream().map(e -> e.record().offset()).toList());
            assertTrue(filtered.get(0).transform().startsWith("filter[field id]"), filtered.get(0).transform());
        }
    }

    @Test
    void fanOut_threeRowsPerRecord_sameOffsetSameBatch() {
        ScriptedBackend backend = new ScriptedBackend(false);
        RecordTransform three = r -> List.of(r.withValue(r.value().with("n", LazyJson.ofNumber(1))),
                r.withValue(r.value().with("n", LazyJson.ofNumber(2))), r.withValue(r.value().with("n", LazyJson.ofNumber(3))));
        try (KafkaToSnowflakeBridge bridge = bridge(backend, three, new BridgeListener() { }, ErrorPolicy.failFast())) {
            // records(4) flushes at four buffered rows: the second record's three rows must not be split
            bridge.accept(Polls.records(TP, 0, 2));
            IngestBatch first = backend.arrivals.get(0);
            assertEquals(List.of("0={\"id\":0,\"n\":1}", "0={\"id\":0,\"n\":2}", "0={\"id\":0,\"n\":3}",
                    "1={\"id\":1,\"n\":1}", "1={\"id\":1,\"n\":2}", "1={\"id\":1,\"n\":3}"), contents(first));
            backend.result(0).complete(IngestResult.durable());
            bridge.accept(Polls.none());
            assertEquals(2, bridge.durableOffsets().get(TP).offset());
        }
    }

    @Test
    void declaredColumns_transformsOverTheFormats_eachRowCarriesTheUnion() {
        ScriptedBackend backend = new ScriptedBackend(false);
        java.util.Map<String, String> types = new java.util.LinkedHashMap<>(); // in this order
        types.put("id", "NUMBER(10,0)");
        types.put("card", "NUMBER(16,0)");
        io.ksbridge.format.TypedColumns declared = io.ksbridge.format.TypedColumns.declared(types);
        RecordTransform t = Transforms.mask("card").andThen(Transforms.insertMetadata("kafka_ts",
                Transforms.MetadataField.TIMESTAMP));
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .format(io.ksbridge.RecordFormat.json(declared))
                .flushPolicy(FlushPolicy.records(2))
                .transform(t)
                .backend(backend)
                .build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(Polls.records(TP, 0, 2));
            List<String> columns = new ArrayList<>();
            for (IngestRow r : backend.arrivals.get(0).rows()) {
                columns.add(String.valueOf(r.columns()));
            }
            assertEquals(java.util.Collections.nCopies(2, "TypedColumns[id NUMBER(10,0), card VARCHAR, kafka_ts"
                    + " TIMESTAMP_LTZ(3)]"), columns, "mask makes card text; the metadata field is typed");
            assertTrue(backend.arrivals.get(0).rows().get(0).columns() == backend.arrivals.get(0).rows().get(1).columns(),
                    "merged once for the format's columns, not per row");
            backend.result(0).complete(IngestResult.durable()); // nothing left in flight: close() has nothing to wait for
        }
    }

    @Test
    void failingTransform_failFast_stopsNamingRecordAndTransform() {
        ScriptedBackend backend = new ScriptedBackend(false);
        RecordTransform boom = Transforms.filter("boom", r -> {
            throw new IllegalStateException("bad id " + r.value().get("id"));
        });
        try (KafkaToSnowflakeBridge bridge = bridge(backend, boom, new BridgeListener() { }, ErrorPolicy.failFast())) {
            RecordFormatException e = assertThrows(RecordFormatException.class, () -> bridge.accept(Polls.records(TP, 0, 1)));
            assertEquals("orders", e.coordinates().topic());
            assertEquals(0, e.coordinates().offset());
            assertEquals("transform boom failed: bad id 0", e.reason());
        }
    }

    @Test
    void failingTransform_skip_reportedAndOffsetHandled() {
        ScriptedBackend backend = new ScriptedBackend(false);
        List<BridgeEvents.Skip> skips = new CopyOnWriteArrayList<>();
        BridgeListener l = new BridgeListener() {
            @Override
            public void onSkip(BridgeEvents.Skip event) {
                skips.add(event);
            }
        };
        RecordTransform failOnOne = Transforms.filter("failOnOne", r -> {
            if (r.offset() == 1) {
                throw new IllegalArgumentException("offset one");
            }
            return true;
        });
        try (KafkaToSnowflakeBridge bridge = bridge(backend, failOnOne, l, ErrorPolicy.skip())) {
            bridge.accept(Polls.records(TP, 0, 4));
            assertEquals(3, backend.arrivals.get(0).rows().size());
            backend.result(0).complete(IngestResult.durable());
            bridge.accept(Polls.none());
            assertEquals(4, bridge.durableOffsets().get(TP).offset());
            assertEquals(1, skips.size());
            assertEquals("transform failOnOne failed: offset one", skips.get(0).reason());
        }
    }
}
