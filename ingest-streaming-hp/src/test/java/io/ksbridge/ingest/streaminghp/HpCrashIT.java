package io.ksbridge.ingest.streaminghp;

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
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge is killed five times while loading (the SDK is not flushed: rows it buffers are lost with it, as with a
 * killed process); the restarts land every record once, and the tokens end at the last offsets.
 */
@KsbridgeTest
class HpCrashIT {
    private static final int RECORDS = 24_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge bridge(String topic, int run, HighPerformanceStreamingBackend backend) {
        return KafkaToSnowflakeBridge.builder()
                .name("hp-crash-" + run)
                .consumerProperties(HpIts.crashableConsumer(kafka, "group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(backend)
                .build();
    }

    @Test
    void crash_fiveTimesDuringTheRun_restartsLandEachRecordOnce() throws Exception {
        String topic = "hp-crashing";
        String table = "DB.HPCRASH." + TableNamer.connectorDefault().tableName(topic);
        kafka.createTopic(topic, 4);
        HpStreamingService hp = HpStreamingService.of(snowflake);
        int chunk = RECORDS / 6;
        // rows requests take effect 400 ms late: at each crash some are accepted but not committed
        hp.delayCommits(Duration.ofMillis(400));
        long lostInTheSdk = 0;
        for (int run = 0; run < 5; run++) {
            int from = run * chunk;
            int before = HpIts.rowCount(snowflake, table);
            HpIts.produceIds(kafka, topic, 4, from, from + chunk / 2);
            HighPerformanceStreamingBackend backend = HpIts.backend(snowflake, "HPCRASH").build();
            KafkaToSnowflakeBridge bridge = bridge(topic, run, backend);
            bridge.start();
            int target = from + chunk / 4;
            Await.until("run " + run + " to land " + target + " rows", Duration.ofSeconds(90),
                    () -> HpIts.rowCount(snowflake, table) >= target);
            long handed = backend.rowsAppended();
            HpIts.produceIds(kafka, topic, 4, from + chunk / 2, from + chunk);
            Await.until("run " + run + " to hand more rows to the SDK", Duration.ofSeconds(60),
                    () -> backend.rowsAppended() >= handed + 200);
            // the process dies: what the SDK buffers never leaves it; accepted requests still commit (400 ms late)
            TestBridges.crash(bridge);
            snowflake.awaitIdle(Duration.ofSeconds(30));
            long lost = backend.rowsAppended() - (HpIts.rowCount(snowflake, table) - before);
            lostInTheSdk += lost;
            System.out.printf("hp crash %d at %,d rows; %,d rows appended to the SDK were lost with it%n", run,
                    HpIts.rowCount(snowflake, table), lost);
        }
        assertTrue(lostInTheSdk > 0, "no crash lost rows buffered in the SDK: the crashes were graceful");
        hp.delayCommits(Duration.ZERO);
        HpIts.produceIds(kafka, topic, 4, 5 * chunk, RECORDS);
        try (KafkaToSnowflakeBridge bridge = bridge(topic, 5, HpIts.backend(snowflake, "HPCRASH").build())) {
            bridge.start();
            Await.until("offsets committed", Duration.ofSeconds(90), () -> HpIts.committedSum(kafka, "group-" + topic) == RECORDS);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        ExactlyOnce.assertEveryRecordOnce(snowflake, table, kafka.endOffsets(topic));
        assertEquals(RECORDS, HpIts.rowCount(snowflake, table));
        assertEquals(HpIts.expectedTokens(kafka, topic), hp.committedOffsetTokens(table));
    }
}
