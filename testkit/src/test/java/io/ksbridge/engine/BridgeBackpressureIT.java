package io.ksbridge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A stalled backend and a fast producer: memory stays under the cap, partitions pause and resume, nothing is lost. */
@KsbridgeTest
class BridgeBackpressureIT {
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka(EmbeddedKafka sharedKafka) {
        kafka = sharedKafka;
    }

    @Test
    void stalledBackend_fastProducer_bufferedBytesNeverExceedCapAndPartitionsPauseThenResume() throws Exception {
        String topic = "pressure";
        kafka.createTopic(topic, 4);
        int total = 40_000;                       // about 4 MB of values against a 1 MiB cap
        ItSupport.produceIds(kafka, topic, 4, 0, total);
        long cap = 1L << 20;
        RecordingBackend backend = new RecordingBackend().stall();
        List<BridgeEvents.Backpressure> events = new CopyOnWriteArrayList<>();
        // lag reports (one a second per partition, from the polling loop) that came while paused, with data on offer
        AtomicInteger lagWhilePaused = new AtomicInteger();
        AtomicLong peak = new AtomicLong();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("pressure-group"))
                .topics(topic)
                .flushPolicy(FlushPolicy.bytes(64 * 1024).or(FlushPolicy.age(Duration.ofMillis(50))))
                .maxBufferedBytes(cap)
                .maxInFlightBatches(64)
                .backend(backend)
                .listener(new BridgeListener() {
                    @Override
                    public void onBackpressure(BridgeEvents.Backpressure event) {
                        events.add(event);
                    }

                    @Override
                    public void onLag(BridgeEvents.PartitionLag event) {
                        if (!events.isEmpty() && events.get(events.size() - 1).paused()
                                && event.endOffset() > event.durableOffset()) {
                            lagWhilePaused.incrementAndGet();
                        }
                    }
                })
                .build()) {
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    peak.accumulateAndGet(bridge.bufferedBytes(), Math::max);
                    Thread.onSpinWait();
                }
            });
            sampler.start();
            bridge.start();
            Await.until("partitions paused", Duration.ofSeconds(30), () -> !events.isEmpty());
            // stay stalled while the loop goes on polling with data on offer: two rounds of lag reports of every partition
            Await.until("polling while paused", Duration.ofSeconds(30), () -> lagWhilePaused.get() >= 8);
            assertEquals(0, backend.rowCount());
            assertTrue(bridge.bufferedBytes() <= cap, "buffered " + bridge.bufferedBytes());
            backend.resume();
            Await.until("all rows", Duration.ofSeconds(60), () -> backend.rowCount() >= total);
            sampling.set(false);
            sampler.join();
        }
        assertTrue(peak.get() > cap / 2, "the cap was never approached (peak " + peak.get() + "): the test proves nothing");
        assertTrue(peak.get() <= cap, "peak buffered bytes " + peak.get() + " over the cap " + cap);
        assertTrue(events.get(0).paused(), "first event is a pause");
        assertTrue(events.stream().anyMatch(e -> !e.paused()), "partitions were resumed: " + events);
        ExactlyOnce.assertEveryRecordOnce(backend, "PRESSURE", kafka.endOffsets(topic));
        assertEquals(kafka.endOffsets(topic), kafka.committedOffsets("pressure-group"));
    }
}
