package io.ksbridge.spring.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.RecordingBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** The adapter's commit survives a wake-up the container meant for its poll (it wakes the consumer to pause it). */
class KsbridgeListenerAdapterTest {
    private static final TopicPartition TP = new TopicPartition("payments", 0);

    @Test
    void commit_wakeupFromTheContainerLandsOnIt_committedAnyway() throws Exception {
        AtomicInteger wakeups = new AtomicInteger(1);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
            @Override
            public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
                if (wakeups.getAndDecrement() > 0) {
                    throw new WakeupException();
                }
                super.commitSync(offsets, timeout);
            }
        };
        consumer.assign(List.of(TP));
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder().flushPolicy(FlushPolicy.records(5))
                .commitInterval(Duration.ZERO).backend(backend).build()) {
            KsbridgeListenerAdapter adapter = KsbridgeListenerAdapter.of(bridge);
            adapter.onPartitionsAssigned(consumer, List.of(TP));
            ConsumerRecords<byte[], byte[]> none = new ConsumerRecords<>(Map.of(), Map.of());
            io.ksbridge.testkit.Await.until(Duration.ofSeconds(10), () -> {
                adapter.onPoll(none, consumer);
                return consumer.paused().isEmpty();
            }, () -> "the partition to open");
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (long o = 0; o < 5; o++) {
                records.add(new ConsumerRecord<>(TP.topic(), 0, o, null, ("{\"id\":" + o + "}")
                        .getBytes(StandardCharsets.UTF_8)));
            }
            adapter.onPoll(new ConsumerRecords<>(Map.of(TP, records), Map.of()), consumer);
            io.ksbridge.testkit.Await.until(Duration.ofSeconds(10), () -> {
                adapter.onPoll(none, consumer);
                OffsetAndMetadata done = consumer.committed(java.util.Set.of(TP)).get(TP);
                return done != null && done.offset() == 5;
            }, () -> "offset 5 committed despite the wake-up");
            assertEquals(0, wakeups.get() + 1, "the wake-up was taken once");
        }
    }
}
