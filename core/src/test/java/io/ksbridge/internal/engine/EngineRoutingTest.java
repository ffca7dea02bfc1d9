package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.TableRouter;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Routing by record: one partition's records interleaved over three tables, each table its own lane; the partition's
 * committed offset is the lowest point durable in every table; a restart resumes at the committed offset, opens the
 * tables its metadata lists, and drops per table what that table already holds, a table first seen after the restart
 * included. Host loop (no consumer, and Kafka's {@link MockConsumer}), scripted backend.
 */
class EngineRoutingTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final String[] KINDS = {"a", "b", "c"};

    /** Opens each table at a start the test sets (none: unknown); records opens and releases. */
    static final class TableBackend extends ScriptedBackend {
        final Map<String, Long> starts = new ConcurrentHashMap<>();
        final List<String> calls = new CopyOnWriteArrayList<>();

        TableBackend() {
            super(false);
        }

        @Override
        public PartitionStart open(String table, TopicPartition partition) {
            calls.add("open " + table);
            Long at = starts.get(table);
            return at == null ? PartitionStart.unknown() : PartitionStart.at(at);
        }

        @Override
        public void release(String table, TopicPartition partition) {
            calls.add("release " + table);
        }

        @Override
        public boolean supportsTableRouting() {
            return true;
        }
    }

    /** Offsets [from, to), the record at offset o of kind a, b or c by o % 3. */
    private static ConsumerRecords<byte[], byte[]> records(long from, long to) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
        for (long o = from; o < to; o++) {
            list.add(new ConsumerRecord<>(TP.topic(), TP.partition(), o, null,
                    ("{\"id\":" + o + ",\"kind\":\"" + KINDS[(int) (o % 3)] + "\"}").getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecords<>(Map.of(TP, list), Map.of());
    }

    private static KafkaToSnowflakeBridge.Builder builder(TableBackend backend, int flushRecords) {
        return KafkaToSnowflakeBridge.builder()
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(flushRecords))
                .router(TableRouter.byField("kind", kind -> kind.toUpperCase(Locale.ROOT)))
                .closeTimeout(Duration.ofSeconds(1))
                .backend(backend);
    }

    private static String describe(IngestBatch b) {
        StringBuilder s = new StringBuilder(b.table()).append(':');
        for (IngestRow r : b.rows()) {
            s.append(' ').append(r.offset());
        }
        return s.toString();
    }

    @Test
    void interleavedOverThreeTables_eachTableItsOwnBatches_commitIsTheLowestPointDurableInEveryTable() {
        TableBackend backend = new TableBackend();
        try (KafkaToSnowflakeBridge bridge = builder(backend, 3).build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            bridge.accept(records(0, 9));
            assertEquals(List.of("A: 0 3 6", "B: 1 4 7", "C: 2 5 8"),
                    backend.arrivals.stream().map(EngineRoutingTest::describe).toList());
            assertEquals(List.of("open A", "open B", "open C"), backend.calls, "each table opened on its first record");
            assertEquals(0, bridge.durableOffsets().get(TP).offset(), "nothing durable yet");

            backend.result(1).complete(IngestResult.durable()); // B
            bridge.accept(Polls.none());
            assertEquals(0, bridge.durableOffsets().get(TP).offset(), "A's record at 0 is not durable yet");
            backend.result(0).complete(IngestResult.durable()); // A
            bridge.accept(Polls.none());
            OffsetAndMetadata at2 = bridge.durableOffsets().get(TP);
            assertEquals(2, at2.offset(), "C's record at 2 holds the commit back");
            assertEquals("ksbridge.tables=A,B,C", at2.metadata(), "the tables the partition fed");
            backend.result(2).complete(IngestResult.durable()); // C
            bridge.accept(Polls.none());
            assertEquals(9, bridge.durableOffsets().get(TP).offset());

            bridge.rebalanceListener().onPartitionsRevoked(List.of(TP));
            assertEquals(List.of("open A", "open B", "open C", "release A", "release B", "release C"), backend.calls,
                    "each table's lane released");
        }
    }

    @Test
    void recordWithoutTheField_goesToTheTopicsTable_holdsTheCommitUntilDurableThere() {
        TableBackend backend = new TableBackend();
        try (KafkaToSnowflakeBridge bridge = builder(backend, 2).build()) {
            bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
            List<ConsumerRecord<byte[], byte[]>> list = List.of(
                    new ConsumerRecord<>(TP.topic(), 0, 0, null, "{\"kind\":\"a\"}".getBytes(StandardCharsets.UTF_8)),
                    new ConsumerRecord<>(TP.topic(), 0, 1, null, "{\"other\":1}".getBytes(StandardCharsets.UTF_8)),
                    new ConsumerRecord<>(TP.topic(), 0, 2, null, "{\"kind\":\"a\"}".getBytes(StandardCharsets.UTF_8)));
            bridge.accept(new ConsumerRecords<>(Map.of(TP, list), Map.of()));
            assertEquals(List.of("A: 0 2"), backend.arrivals.stream().map(EngineRoutingTest::describe).toList());
            backend.result(0).complete(IngestResult.durable());
            bridge.accept(Polls.none());
            assertEquals(1, bridge.durableOffsets().get(TP).offset(),
                    "the record without the field went to the topic's table ORDERS, still buffered");
        }
    }

    @Test
    void restart_resumesAtTheCommittedOffset_dropsPerTableBelowItsStart_tableFirstSeenAfterwardsOpensLazily() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        // the previous owner committed 3 after feeding A and B, and A already holds offsets up to 6 (a crash before
        // the next commit); C was fed after that commit and holds offsets up to 4
        consumer.commitSync(Map.of(TP, new OffsetAndMetadata(3, "ksbridge.tables=A,B")));
        TableBackend backend = new TableBackend();
        backend.starts.put("A", 7L);
        backend.starts.put("C", 5L);
        FakeTicker clock = new FakeTicker();
        Engine engine = new Engine(builder(backend, 3).build().settings(), clock);
        engine.rebalanceListener(consumer).onPartitionsAssigned(List.of(TP));
        assertEquals(Set.of(TP), consumer.paused(), "paused until the tables it fed are open");
        Polls.until(engine, () -> consumer.paused().isEmpty(), "A and B open");
        assertEquals(List.of("open A", "open B"), backend.calls);
        assertEquals(3, consumer.position(TP), "resumed at the committed offset");

        // 3 (A) dropped, 4 (B) taken, 5 (C) not open yet: a host loop's accept opens it in place
        engine.accept(records(consumer.position(TP), 12));
        assertEquals(List.of("open A", "open B", "open C"), backend.calls);
        assertEquals(List.of("B: 4 7 10", "C: 5 8 11"),
                backend.arrivals.stream().map(EngineRoutingTest::describe).toList(),
                "A's 3 and 6 dropped (A holds everything below 7); B and C from the committed offset and C's start");
        assertEquals(4, engine.durableOffsets().get(TP).offset(), "B's 4 is the lowest record pending");
        backend.result(0).complete(IngestResult.durable()); // B
        engine.accept(Polls.none());
        assertEquals(5, engine.durableOffsets().get(TP).offset(), "C's 5 is the lowest record still pending");
        backend.result(1).complete(IngestResult.durable()); // C
        engine.accept(Polls.none());
        assertEquals(9, engine.durableOffsets().get(TP).offset(), "A's 9 is still buffered");
        engine.close(Duration.ofSeconds(1));
        assertEquals("A: 9", describe(backend.arrivals.get(2)), "A's buffer flushed on close");
    }
}
