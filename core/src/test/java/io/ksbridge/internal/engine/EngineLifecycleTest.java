package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.BackendContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * An own-loop bridge's lifecycle from several threads: close racing start never drains or closes on the closing
 * thread, nor before the loop started the backend; durable offsets are an immutable snapshot any thread may read.
 * The consumer points at a closed loopback port: nothing is ever fetched, nothing leaves the machine.
 */
class EngineLifecycleTest {

    /** Records the order of start and close calls, with the calling thread. */
    static final class LifecycleBackend extends ScriptedBackend {
        final List<String> calls = new CopyOnWriteArrayList<>();

        LifecycleBackend() {
            super(false);
        }

        @Override
        public void start(BackendContext context) {
            calls.add("start");
        }

        @Override
        public void close(Duration timeout) {
            calls.add("close on " + Thread.currentThread().getName());
        }
    }

    private static Engine ownLoop(LifecycleBackend backend, String name) {
        return new Engine(KafkaToSnowflakeBridge.builder()
                .name(name)
                .consumerProperties(Map.of("bootstrap.servers", "127.0.0.1:1", "group.id", "lifecycle"))
                .topics("orders")
                .backend(backend)
                .build().settings());
    }

    @Test
    void closeRacingStart_backendStartedAndClosedOnceByTheBridgesOwnThreads_neverByTheCloser() throws Exception {
        for (int round = 0; round < 25; round++) {
            LifecycleBackend backend = new LifecycleBackend();
            Engine engine = ownLoop(backend, "race-" + round);
            CyclicBarrier together = new CyclicBarrier(2);
            Thread closer = new Thread(() -> {
                try {
                    together.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                engine.close(Duration.ofSeconds(2));
            }, "test-closer");
            closer.start();
            together.await(10, TimeUnit.SECONDS);
            try {
                engine.start();
            } catch (IllegalStateException closedFirst) {
                assertTrue(closedFirst.getMessage().contains("already started or closed"), closedFirst.getMessage());
            }
            closer.join(30_000);
            assertTrue(engine.awaitTermination(Duration.ofSeconds(30)), "round " + round + ": the bridge stopped");
            List<String> calls = backend.calls;
            assertTrue(calls.isEmpty() || calls.equals(List.of("start", "close on ksbridge-race-" + round + "-close")),
                    "round " + round + ": " + calls);
        }
    }

    @Test
    void durableOffsets_ownLoop_immutableSnapshot_emptyBeforeStart_noSeekTargets() {
        Engine engine = ownLoop(new LifecycleBackend(), "snapshot");
        Map<TopicPartition, OffsetAndMetadata> offsets = engine.durableOffsets();
        assertEquals(Map.of(), offsets);
        assertThrows(UnsupportedOperationException.class,
                () -> offsets.put(new TopicPartition("orders", 0), new OffsetAndMetadata(1)));
        assertEquals(Map.of(), engine.seekTargets());
        engine.close(Duration.ZERO);
    }
}
