package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.assertExactlyOnce;
import static io.ksbridge.ingest.streaming.StreamingIts.await;
import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestBridges;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bridge is killed five times while loading (no flush, no Kafka commit); the restarts land every record once. */
class StreamingCrashIT {
    private static final int RECORDS = 40_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.start();
        snowflake = SnowflakeEmulator.start();
    }

    @AfterAll
    static void stop() {
        snowflake.close();
        kafka.close();
    }

    private static KafkaToSnowflakeBridge bridge(String topic, int run) {
        return KafkaToSnowflakeBridge.builder()
                .name("crash-" + run)
                .consumerProperties(StreamingIts.crashableConsumer(kafka, "group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(StreamingIts.backend(snowflake, "CRASH").build())
                .build();
    }

    @Test
    void crash_fiveTimesDuringTheRun_restartsLandEachRecordOnce() throws Exception {
        String topic = "crashing";
        String table = "DB.CRASH." + TableNamer.connectorDefault().tableName(topic);
        kafka.createTopic(topic, 4);
        StreamingService streaming = StreamingService.of(snowflake);
        int chunk = RECORDS / 6;
        // registrations take effect 400 ms late: at each crash, blobs are registered but not committed and rows are
        // buffered in the SDK
        streaming.delayCommits(Duration.ofMillis(400));
        for (int run = 0; run < 5; run++) {
            // each run gets fresh records and dies half way through them, with batches in flight and rows buffered
            StreamingIts.produceIds(kafka, topic, 4, run * chunk, (run + 1) * chunk);
            int target = run * chunk + chunk / 2;
            KafkaToSnowflakeBridge bridge = bridge(topic, run);
            bridge.start();
            await("run " + run + " to land " + target + " rows", Duration.ofSeconds(90), () -> rowCount(snowflake, table) >= target);
            if (run % 2 == 1) {
                // the process dies with rows buffered in the SDK: they must never land (the channels are invalid)
                streaming.invalidateAll();
            }
            TestBridges.crash(bridge);
            System.out.printf("crash %d at %,d of %,d rows produced (Kafka committed %,d)%n", run, rowCount(snowflake, table),
                    (run + 1) * chunk, kafka.committedOffsets("group-" + topic).values().stream().mapToLong(Long::longValue).sum());
        }
        streaming.delayCommits(Duration.ZERO);
        StreamingIts.produceIds(kafka, topic, 4, 5 * chunk, RECORDS);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, 5)) {
            bridge.start();
            await("all rows after the restarts", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= RECORDS);
            await("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == RECORDS);
            Thread.sleep(1_500); // longer than max client lag: anything extra would land now
        }
        assertExactlyOnce(snowflake, table, RECORDS);
        assertEquals(RECORDS, rowCount(snowflake, table));
        assertEquals(StreamingIts.expectedTokens(kafka, topic), streaming.committedOffsetTokens(table));
        System.out.printf("crash: registrations refused (invalidated or stale) %d%n", streaming.refusedRegistrations());
    }
}
