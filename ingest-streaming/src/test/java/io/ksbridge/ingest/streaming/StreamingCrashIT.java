package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestBridges;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge is killed five times while loading (no flush, no Kafka commit, the rows buffered in the SDK lost); the
 * restarts land every record once.
 */
@KsbridgeTest
class StreamingCrashIT {
    private static final int RECORDS = 40_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge bridge(String topic, int run, StreamingBackend backend) {
        return KafkaToSnowflakeBridge.builder()
                .name("crash-" + run)
                .consumerProperties(StreamingIts.crashableConsumer(kafka, "group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(backend)
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
        long droppedInTheSdk = 0;
        for (int run = 0; run < 5; run++) {
            // each run gets fresh records and dies while loading them, with batches in flight and rows buffered
            int from = run * chunk;
            int before = rowCount(snowflake, table);
            StreamingIts.produceIds(kafka, topic, 4, from, from + chunk / 2);
            StreamingBackend backend = StreamingIts.backend(snowflake, "CRASH").build();
            KafkaToSnowflakeBridge bridge = bridge(topic, run, backend);
            bridge.start();
            int target = from + chunk / 4;
            Await.until("run " + run + " to land " + target + " rows", Duration.ofSeconds(90),
                    () -> rowCount(snowflake, table) >= target);
            // more records while it loads: the crash comes just after some of them went into the SDK's buffer (which it
            // flushes once a second)
            long handed = backend.rowsWritten();
            StreamingIts.produceIds(kafka, topic, 4, from + chunk / 2, from + chunk);
            Await.until("run " + run + " to hand more rows to the SDK", Duration.ofSeconds(60),
                    () -> backend.rowsWritten() >= handed + 200);
            // the process dies: rows buffered in the SDK never leave it, while registered chunks still commit (400 ms
            // late); once the emulator is idle, nothing more of this run can land (its client is closed)
            TestBridges.crash(bridge);
            snowflake.awaitIdle(Duration.ofSeconds(30));
            long dropped = backend.rowsWritten() - (rowCount(snowflake, table) - before);
            droppedInTheSdk += dropped;
            System.out.printf("crash %d at %,d of %,d rows produced (Kafka committed %,d); %,d rows handed to the SDK were"
                    + " lost with it%n", run, rowCount(snowflake, table), from + chunk, kafka.committedOffsets("group-" + topic)
                    .values().stream().mapToLong(Long::longValue).sum(), dropped);
        }
        // a crash that flushed the SDK on the way out would lose nothing it was handed
        assertTrue(droppedInTheSdk > 0, "no crash lost rows buffered in the SDK: the crashes were graceful");
        streaming.delayCommits(Duration.ZERO);
        StreamingIts.produceIds(kafka, topic, 4, 5 * chunk, RECORDS);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, 5, StreamingIts.backend(snowflake, "CRASH").build())) {
            bridge.start();
            Await.until("all rows after the restarts", Duration.ofSeconds(60), () -> rowCount(snowflake, table) >= RECORDS);
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == RECORDS);
        }
        // the bridge closed (its SDK flushed) and the crashed ones' clients are closed: once the emulator has committed
        // what it was given, anything extra is in the table
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(RECORDS, rowCount(snowflake, table));
        assertEquals(StreamingIts.expectedTokens(kafka, topic), streaming.committedOffsetTokens(table));
        System.out.printf("crash: registrations refused (invalidated or stale) %d%n", streaming.refusedRegistrations());
    }
}
