package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The core on its own, as a driver runs it: events in (assigned, records, tick), commands out to Kafka's
 * {@link MockConsumer}. At the memory cap the core flushes, seeks the partition back to the first record it did not
 * take and pauses the consumer; once loads free the memory below half the cap it resumes, and the records read again
 * from there all land, each once.
 */
class CoreBackpressureTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** Scripted, until the test lets every batch be durable as it arrives (for the final drain). */
    static final class Backend extends ScriptedBackend {
        volatile boolean durableAtOnce;

        Backend() {
            super(true);
        }

        @Override
        public synchronized CompletionStage<IngestResult> ingest(IngestBatch batch) {
            CompletionStage<IngestResult> stage = super.ingest(batch);
            if (durableAtOnce) {
                stage.toCompletableFuture().complete(IngestResult.durable());
            }
            return stage;
        }
    }

    @Test
    void memoryCap_seeksBackAndPauses_resumesBelowHalf_everyRecordOnceInOffsetOrder() {
        List<BridgeEvents.Backpressure> pressure = new CopyOnWriteArrayList<>();
        Backend backend = new Backend();
        FakeTicker ticker = new FakeTicker();
        Core core = new Core(KafkaToSnowflakeBridge.builder()
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10_000)) // only the memory cap flushes
                .maxBufferedBytes(20_000)
                .listener(new BridgeListener() {
                    @Override
                    public void onBackpressure(BridgeEvents.Backpressure event) {
                        pressure.add(event);
                    }
                })
                .backend(backend)
                .build().settings(), ticker, new Lifecycle("core-test"));
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        consumer.assign(List.of(TP));
        consumer.updateBeginningOffsets(Map.of(TP, 0L));
        Commands commands = Commands.of(consumer);
        core.startBackend();

        core.partitions.assign(List.of(TP), commands);
        assertEquals(Set.of(TP), consumer.paused(), "paused until open");
        long until = System.nanoTime() + 30_000_000_000L;
        while (!core.partitions.open.containsKey(TP) && System.nanoTime() < until) {
            core.tick(commands);
            Thread.onSpinWait();
        }
        assertEquals(Set.of(), consumer.paused(), "open: resumed");

        core.records(Polls.records(TP, 0, 1_000), commands);
        assertEquals(1, backend.arrivals.size(), "the cap flushed what the buffer held");
        IngestBatch first = backend.arrivals.get(0);
        long taken = first.lastOffset() + 1;
        assertTrue(taken > 10 && taken < 1_000, "the cap was reached part way: " + taken);
        assertEquals(taken, consumer.position(TP), "sought back to the first record not taken");
        assertEquals(Set.of(TP), consumer.paused(), "paused at the cap");
        assertEquals(1, pressure.size());
        assertTrue(pressure.get(0).paused());
        assertTrue(core.budget.used() > 0);

        core.tick(commands);
        assertEquals(Set.of(TP), consumer.paused(), "still paused while the batch holds the memory");

        backend.result(0).complete(IngestResult.durable());
        core.tick(commands);
        assertEquals(Set.of(), consumer.paused(), "resumed below half the cap");
        assertEquals(2, pressure.size());
        assertTrue(!pressure.get(1).paused());
        assertEquals(Map.of(TP, new OffsetAndMetadata(taken)), core.uncommitted());

        // as a poll would: read from the consumer's position, which then moves past what was read, unless the core
        // seeks it back; the backend completes every batch as it comes
        long next = consumer.position(TP);
        int polls = 0;
        while (next < 1_000 && polls++ < 1_000) {
            if (consumer.paused().isEmpty()) {
                long to = Math.min(1_000, next + 100);
                consumer.seek(TP, to);
                core.records(Polls.records(TP, next, to), commands);
                next = consumer.position(TP);
            }
            for (int i = 0; i < backend.results.size(); i++) {
                backend.result(i).complete(IngestResult.durable());
            }
            core.tick(commands);
        }
        assertTrue(pressure.size() > 2, "the cap was reached again while catching up: " + pressure.size());
        backend.durableAtOnce = true;
        core.lifecycle.requestClose(System.nanoTime() + 30_000_000_000L);
        core.drain(false);

        List<Long> loaded = new ArrayList<>();
        for (IngestBatch b : backend.arrivals) {
            b.rows().forEach(r -> loaded.add(r.offset()));
        }
        List<Long> expected = new ArrayList<>();
        for (long o = 0; o < 1_000; o++) {
            expected.add(o);
        }
        assertEquals(expected, loaded, "every record once, in offset order");
        assertEquals(Map.of(TP, new OffsetAndMetadata(1_000)), core.uncommitted());
        assertEquals(0, core.budget.used(), "all memory given back");
    }
}
