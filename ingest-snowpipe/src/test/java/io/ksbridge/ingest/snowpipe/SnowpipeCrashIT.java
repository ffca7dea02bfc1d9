package io.ksbridge.ingest.snowpipe;

import static io.ksbridge.ingest.snowpipe.SnowpipeIts.rowCount;
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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The process dies at each step of a batch's way into Snowflake; a restarted bridge lands every record once. */
@KsbridgeTest
class SnowpipeCrashIT {
    private static final int RECORDS = 20_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static SnowpipeBackend backend() {
        return SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("CRASH")
                .statusPollInterval(Duration.ofMillis(50)).historyFallback(Duration.ofMillis(500))
                .closeTimeout(Duration.ZERO) // a crash does not wait for anything
                .build();
    }

    private static KafkaToSnowflakeBridge bridge(String topic, SnowpipeBackend backend, Duration commitInterval) {
        return bridge(topic, backend, commitInterval, 1_000);
    }

    private static KafkaToSnowflakeBridge bridge(String topic, SnowpipeBackend backend, Duration commitInterval, int flushRecords) {
        return KafkaToSnowflakeBridge.builder()
                .name("crash-" + topic)
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(flushRecords).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(commitInterval)
                .backend(backend)
                .build();
    }

    private static String table(String topic) {
        return "DB.CRASH." + TableNamer.connectorDefault().tableName(topic);
    }

    /**
     * Runs a fresh bridge to the end and checks exactly once, an empty stage and Kafka's commit. It flushes every 700
     * records instead of 1,000, so re-read records would land in files of new names that Snowpipe's name-based dedupe
     * cannot catch: only the reconciliation keeps them out.
     */
    private static void restartAndVerify(String topic) throws Exception {
        try (KafkaToSnowflakeBridge bridge = bridge(topic, backend(), Duration.ofMillis(200), 700)) {
            bridge.start();
            Await.until("all rows after the restart", Duration.ofSeconds(60), () -> rowCount(snowflake, table(topic)) >= RECORDS);
            Await.until("the stage to empty", Duration.ofSeconds(30), () -> snowflake.stageFiles(stage(topic)).isEmpty());
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                    .mapToLong(Long::longValue).sum() == RECORDS);
        }
        snowflake.awaitIdle(Duration.ofSeconds(30)); // whatever was submitted has loaded: anything extra is there now
        ExactlyOnce.assertEveryRecordOnce(snowflake, table(topic), kafka.endOffsets(topic));
        assertEquals(RECORDS, rowCount(snowflake, table(topic)));
        assertTrue(snowflake.stageFiles(stage(topic)).isEmpty(), "stage not empty: " + snowflake.stageFiles(stage(topic)));
    }

    private static String stage(String topic) {
        return "DB.CRASH." + SnowpipeBackend.stageName("KSBRIDGE", TableNamer.connectorDefault().tableName(topic));
    }

    private static void produce(String topic) {
        kafka.createTopic(topic, 2);
        SnowpipeIts.produceIds(kafka, topic, 2, 0, RECORDS);
    }

    private static int loadedFiles(String topic) {
        String table = TableNamer.connectorDefault().tableName(topic);
        int n = 0;
        for (int p = 0; p < 2; p++) {
            n += snowflake.loadHistory("DB.CRASH." + SnowpipeBackend.pipeName("KSBRIDGE", table, p)).size();
        }
        return n;
    }

    private static int staged(String topic) {
        return snowflake.stages().exists(stage(topic)) ? snowflake.stageFiles(stage(topic)).size() : 0;
    }

    private static SnowpipeBackend backend(StageUploader uploader) {
        return SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("CRASH")
                .statusPollInterval(Duration.ofMillis(50)).historyFallback(Duration.ofMillis(500))
                .closeTimeout(Duration.ZERO).stageUploader(uploader).build();
    }

    /**
     * Crashes the bridge once its third file is on the stage and before its {@code insertFiles} was answered: the
     * uploader holds the worker after the real upload until the crash, and with {@code afterInsertFiles} the
     * emulator then holds the file's {@code insertFiles} request until the crash. The crash is the production
     * {@link SnowpipeBackend#halt()}, reached through {@link TestBridges#crash}. Returns the file it crashed on.
     */
    private static String crashAtThirdFile(String topic, boolean afterInsertFiles) throws Exception {
        AtomicInteger files = new AtomicInteger();
        AtomicReference<String> crashedOn = new AtomicReference<>();
        CountDownLatch crashed = new CountDownLatch(1);
        StageUploader jdbc = StageUploader.jdbc(snowflake.account());
        StageUploader uploader = new StageUploader() {
            @Override
            public void upload(String stage, String path, byte[] data) throws java.io.IOException {
                jdbc.upload(stage, path, data);
                if (files.incrementAndGet() != 3) {
                    return;
                }
                if (afterInsertFiles) {
                    snowflake.faults().holdRequests("/v1/data/pipes/" + pipeOf(path) + "/insertFiles");
                    crashedOn.set(path);
                    return; // the backend submits the file next: that request waits in the emulator
                }
                crashedOn.set(path);
                try {
                    crashed.await(30, TimeUnit.SECONDS); // the halt interrupts this wait, or the crash ends it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void close() {
                jdbc.close();
            }
        };
        long held = snowflake.faults().heldRequests();
        KafkaToSnowflakeBridge bridge = bridge(topic, backend(uploader), Duration.ofMillis(100));
        bridge.start();
        try {
            Await.until("the third file staged", Duration.ofSeconds(30), () -> crashedOn.get() != null);
            if (afterInsertFiles) {
                Await.until("its insertFiles to reach the emulator", Duration.ofSeconds(30),
                        () -> snowflake.faults().heldRequests() > held);
            }
            TestBridges.crash(bridge);
        } finally {
            crashed.countDown();
            snowflake.faults().releaseRequests(); // the held insertFiles goes on now: the pipe takes the file
        }
        return crashedOn.get();
    }

    /** The pipe of the partition a staged file ({@code connector/TABLE/partitionPart/file}) belongs to. */
    private static String pipeOf(String path) {
        String[] parts = path.split("/");
        int partition = (int) (Long.parseLong(parts[2]) % 0x10000 - 0x8000);
        return "DB.CRASH." + SnowpipeBackend.pipeName(parts[0], parts[1], partition);
    }

    @Test
    void crash_afterUploadBeforeInsertFiles_restartLoadsEachRecordOnce() throws Exception {
        String topic = "crash-after-upload";
        produce(topic);
        String file = crashAtThirdFile(topic, false);
        assertTrue(snowflake.stageFiles(stage(topic)).stream().anyMatch(f -> f.path().equals(file)),
                "the file staged before the crash should still be on the stage: " + file);
        restartAndVerify(topic);
    }

    @Test
    void crash_afterInsertFilesBeforeDurable_restartLoadsEachRecordOnce() throws Exception {
        String topic = "crash-after-insert";
        produce(topic);
        String file = crashAtThirdFile(topic, true);
        snowflake.awaitIdle(Duration.ofSeconds(30)); // the released insertFiles has been handled
        assertTrue(snowflake.loadHistory(pipeOf(file)).stream().anyMatch(f -> f.path().equals(file)),
                "the file submitted as the bridge crashed should be in its pipe's load history: " + file);
        restartAndVerify(topic);
    }

    @Test
    void crash_afterLoadBeforeKafkaCommit_restartResumesAfterLoadedFiles() throws Exception {
        String topic = "crash-before-commit";
        produce(topic);
        KafkaToSnowflakeBridge bridge = bridge(topic, backend(), Duration.ofMillis(100));
        bridge.start();
        Await.until("all rows loaded", Duration.ofSeconds(30), () -> rowCount(snowflake, table(topic)) >= RECORDS);
        Await.until("loaded files removed", Duration.ofSeconds(30), () -> staged(topic) == 0);
        TestBridges.crash(bridge);
        // The process died before Kafka heard of these loads: put the group's offsets back to the start (the consumer's
        // close in TestBridges.crash may still commit through the rebalance callback, so set the state explicitly).
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> reset = new java.util.HashMap<>();
        for (TopicPartition tp : kafka.endOffsets(topic).keySet()) {
            reset.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0));
        }
        kafka.admin().alterConsumerGroupOffsets("group-" + topic, reset).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, kafka.committedOffsets("group-" + topic).values().stream().mapToLong(Long::longValue).sum());
        int filesBefore = loadedFiles(topic);
        restartAndVerify(topic);
        assertEquals(filesBefore, loadedFiles(topic), "the restart resumed after the loaded files: it wrote no new file");
    }

    @Test
    void crash_midLoad_restartWhileLoadsHeldThenReleased_eachRecordOnce() throws Exception {
        String topic = "crash-mid-load";
        produce(topic);
        snowflake.faults().holdLoads(true);
        try {
            KafkaToSnowflakeBridge bridge = bridge(topic, backend(), Duration.ofMillis(100));
            bridge.start();
            Await.until("files submitted and held", Duration.ofSeconds(30), () -> staged(topic) >= 6
                    && String.join("; ", snowflake.pendingWork()).contains("loads are held"));
            TestBridges.crash(bridge);
            assertEquals(0, rowCount(snowflake, table(topic)));
        } catch (Throwable t) {
            snowflake.faults().holdLoads(false);
            throw t;
        }
        // the crashed backend polls no more: the next pipe request is the restarted bridge reconciling, while the loads
        // are still in progress; only then are they let go
        long pipeRequests = snowflake.requestCount("/v1/data/pipes/");
        Thread releaser = new Thread(() -> {
            try {
                Await.until(Duration.ofSeconds(60), () -> snowflake.requestCount("/v1/data/pipes/") > pipeRequests,
                        () -> "the restarted bridge to look at its pipes");
            } catch (InterruptedException | AssertionError e) {
                // released anyway: restartAndVerify fails on its own if the restart never came
            } finally {
                snowflake.faults().holdLoads(false);
            }
        }, "release-held-loads");
        releaser.start();
        try {
            restartAndVerify(topic);
        } finally {
            releaser.interrupt();
            releaser.join(10_000);
        }
    }
}
