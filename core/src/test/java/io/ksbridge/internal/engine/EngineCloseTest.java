package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.ingest.IngestResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@code close(Duration)} bounds the backend's close too: a backend that hangs does not hang the host. */
class EngineCloseTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** Records what close was given; optionally never returns from it. */
    static final class ClosingBackend extends ScriptedBackend {
        final AtomicReference<Duration> closeGiven = new AtomicReference<>();
        final CountDownLatch never = new CountDownLatch(1);
        final boolean hangs;

        ClosingBackend(boolean hangs) {
            super(false);
            this.hangs = hangs;
        }

        @Override
        public void close(Duration timeout) {
            closeGiven.set(timeout);
            if (hangs) {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static KafkaToSnowflakeBridge bridge(ClosingBackend backend) {
        KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10))
                .backend(backend)
                .build();
        bridge.rebalanceListener().onPartitionsAssigned(List.of(TP));
        return bridge;
    }

    @Test
    void close_backendGetsWhatIsLeftOfTheTimeout_afterTheDrain() {
        ClosingBackend backend = new ClosingBackend(false);
        KafkaToSnowflakeBridge bridge = bridge(backend);
        bridge.accept(Polls.records(TP, 0, 10));
        backend.result(0).complete(IngestResult.durable());
        bridge.close(Duration.ofSeconds(20));
        Duration given = backend.closeGiven.get();
        assertTrue(given != null && given.compareTo(Duration.ofSeconds(20)) <= 0
                && given.compareTo(Duration.ofSeconds(10)) > 0, "backend.close(Duration) was given " + given);
        assertEquals(10, bridge.durableOffsets().get(TP).offset());
    }

    @Test
    void close_backendHangsInClose_hostReturnsAboutASecondAfterTheTimeout() {
        ClosingBackend backend = new ClosingBackend(true);
        KafkaToSnowflakeBridge bridge = bridge(backend);
        assertTimeoutPreemptively(Duration.ofSeconds(15), () -> bridge.close(Duration.ofMillis(300)),
                "close(300 ms) must not wait for a backend that never closes");
        assertTrue(backend.closeGiven.get().compareTo(Duration.ofMillis(300)) <= 0, backend.closeGiven.get().toString());
        assertFalse(bridge.isRunning());
    }
}
