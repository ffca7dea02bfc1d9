package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.changes;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Scenarios 6 and 26: 503s on result-partition fetches are retried without losing or doubling a row; a transaction
 * aborted by a kill leaves records that only a read_uncommitted consumer sees.
 */
@KsbridgeTest
class FaultsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void partitionFetchFailures_areRetried_abortedRecordsOnlyUncommitted(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        SourceFixture.Setup s = SourceFixture.setUp(kafka, snowflake, "FAULTS");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 3; i < 40; i++) {
            rows.add(row(i, "n" + i));
        }
        snowflake.changes().partitionRows(4); // every page of the snapshot comes in several partitions
        long failedBefore = snowflake.faults().injectedFailures();
        snowflake.faults().only("/api/v2/statements/").failNext(3); // GETs: partition fetches fail with 503
        try (SnowflakeToKafkaBridge a = bridge(kafka, snowflake, s.name(), s.spec()).maxTransactionRows(10).hook((at, t, seq) -> {
            if (at == Hook.Step.BEFORE_COMMIT && seq == 1) {
                throw new Hook.Crash("before the commit of batch 1");
            }
        }).build()) {
            a.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 2, () -> "the snapshot; " + a.failure());
            s.table().insertAll(rows);
            Await.until(WAIT, () -> a.failure().isPresent(), () -> "the crash");
        } finally {
            snowflake.faults().failNext(0).only();
        }
        assertEquals(3, snowflake.faults().injectedFailures() - failedBefore, "three partition fetches failed and were retried");
        assertTrue(uncommitted(kafka, s.topic()) > readCommitted(kafka, s.topic()).size(),
                "the aborted transaction's records are in the log, visible to read_uncommitted only");
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, s.name(), s.spec()).maxTransactionRows(10).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, s.topic()).size() >= 39, () -> "every row; " + b.failure());
            List<String> got = changes(readCommitted(kafka, s.topic()));
            assertEquals(39, got.size());
            assertEquals(39, got.stream().distinct().count(), "no row twice: " + got);
        } finally {
            snowflake.changes().partitionRows(10_000);
        }
    }

    private static long uncommitted(EmbeddedKafka kafka, String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition p = new TopicPartition(topic, 0);
            c.assign(List.of(p));
            c.seekToBeginning(List.of(p));
            long end = c.endOffsets(List.of(p)).get(p);
            long n = 0;
            while (c.position(p) < end) {
                n += c.poll(Duration.ofMillis(100)).count();
            }
            return n;
        }
    }
}
