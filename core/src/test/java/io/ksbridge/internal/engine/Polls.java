package io.ksbridge.internal.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/** What a host loop hands its bridge, for the engine's tests: one poll's records. */
final class Polls {
    private Polls() {
    }

    /** Offsets [from, to) of {@code tp} as one poll, each value {@code {"id":<offset>}}. */
    static ConsumerRecords<byte[], byte[]> records(TopicPartition tp, long from, long to) {
        List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>();
        for (long o = from; o < to; o++) {
            list.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, null,
                    ("{\"id\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecords<>(Map.of(tp, list), Map.of());
    }

    /**
     * Hands {@code engine} empty polls until {@code done}, as a host loop would; fails, naming {@code what}, after
     * 10 s of real time.
     */
    static void until(Engine engine, java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            engine.accept(none());
            Thread.onSpinWait();
        }
    }

    /** An empty poll. */
    static ConsumerRecords<byte[], byte[]> none() {
        return new ConsumerRecords<>(Map.of(), Map.of());
    }
}
