package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeListener;
import io.ksbridge.IngestException;
import io.ksbridge.RetryPolicy;
import io.ksbridge.ingest.BackendContext;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestRows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend alone (no Kafka) against the emulator: idempotent retries, ordering, reconciliation, table checks. */
@KsbridgeTest
class SnowpipeBackendTest {
    static SnowflakeEmulator snowflake;
    /** The tests' own uploaders wrap the production one: their files, too, reach the stage by the driver's PUT. */
    static StageUploader driver;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        driver = StageUploader.jdbc(snowflake.account());
    }

    @AfterAll
    static void stop() {
        driver.close();
    }

    private static SnowpipeBackend backend(String schema, StageUploader uploader) {
        SnowpipeBackend.Builder b = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema(schema)
                .statusPollInterval(Duration.ofMillis(20)).historyFallback(Duration.ofMillis(200));
        if (uploader != null) {
            b.stageUploader(uploader);
        }
        SnowpipeBackend backend = b.build();
        backend.start(new BackendContext("test", BridgeListener.noop(), RetryPolicy.defaults()));
        return backend;
    }

    private static IngestBatch batch(String table, TopicPartition tp, long first, long last, int attempt) {
        return new IngestBatch(table, tp, first, last, TestRows.ids(first, last), attempt);
    }

    private static IngestResult ingest(SnowpipeBackend backend, IngestBatch batch) throws Exception {
        return backend.ingest(batch).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void ingest_sameBatchRetriedAfterItWasAccepted_loadsOnce() throws Exception {
        TopicPartition tp = new TopicPartition("t1", 0);
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            assertEquals(PartitionStart.unknown(), backend.open("T1", tp));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T1", tp, 0, 9, 1)));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T1", tp, 0, 9, 2)));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T1", tp, 10, 19, 1)));
            snowflake.awaitIdle(Duration.ofSeconds(10)); // every file accepted has loaded, a second copy included
            assertEquals(20, snowflake.table("DB.UNIT.T1").rowCount());
        }
        // a new backend (a restart) resumes after what the files cover, and re-staging the same range changes nothing
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            assertEquals(PartitionStart.at(20), backend.open("T1", tp));
        }
    }

    /**
     * A table whose name needs quotes keeps its case: table, stage and pipe are created quoted, files staged through
     * the driver, loaded, and found again by the next open.
     */
    @Test
    void open_mixedCaseTable_caseSurvivesEveryStatement() throws Exception {
        TopicPartition tp = new TopicPartition("mixed", 0);
        try (SnowpipeBackend backend = backend("CASES", null)) {
            assertEquals(PartitionStart.unknown(), backend.open("MixedCase", tp));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("MixedCase", tp, 0, 9, 1)));
            snowflake.awaitIdle(Duration.ofSeconds(10));
        }
        assertEquals(10, snowflake.table("DB.CASES.\"MixedCase\"").rowCount());
        assertEquals(List.of("DB.CASES.\"MixedCase\""), snowflake.tables().names().stream()
                .filter(n -> n.startsWith("DB.CASES.")).toList(), "one table, in the case it was named");
        assertEquals(1, snowflake.loadHistory("DB.CASES.\"" + SnowpipeBackend.pipeName("KSBRIDGE", "MixedCase", 0) + "\"")
                .size());
        assertTrue(snowflake.stageFiles("DB.CASES.\"" + SnowpipeBackend.stageName("KSBRIDGE", "MixedCase") + "\"").isEmpty(),
                "the loaded file was removed from the quoted stage");
        try (SnowpipeBackend backend = backend("CASES", null)) {
            assertEquals(PartitionStart.at(10), backend.open("MixedCase", tp));
        }
    }

    /**
     * A halt is a crash: a file whose upload finishes after it is never submitted, and its batch never completes
     * (a process that died answers nothing; a late retry would be a live backend still talking).
     */
    @Test
    void halt_uploadFinishingAfterwards_fileNotSubmittedAndBatchNeverCompletes() throws Exception {
        String table = "T10";
        TopicPartition tp = new TopicPartition("t10", 0);
        java.util.concurrent.CountDownLatch uploading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> worker = new java.util.concurrent.atomic.AtomicReference<>();
        StageUploader slow = new StageUploader() {
            @Override
            public void upload(String stage, String path, byte[] data) throws IOException {
                worker.set(Thread.currentThread());
                uploading.countDown();
                boolean interrupted = false;
                while (true) {
                    try {
                        finish.await(); // a slow upload that outlives the halt, even its interrupt
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                snowflake.stages().write(stage, path, data);
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void close() {
            }
        };
        SnowpipeBackend backend = backend("UNIT", slow);
        backend.open(table, tp);
        java.util.concurrent.CompletableFuture<IngestResult> result = backend.ingest(batch(table, tp, 0, 9, 1))
                .toCompletableFuture();
        assertTrue(uploading.await(10, TimeUnit.SECONDS), "the upload started");
        backend.halt();
        finish.countDown();
        worker.get().join(10_000); // its pool is shut down: the thread ends with the batch's step
        assertFalse(worker.get().isAlive(), "the worker finished the batch's step");
        snowflake.awaitIdle(Duration.ofSeconds(10));
        assertFalse(result.isDone(), "a crash answers nothing: " + result);
        assertEquals(0, snowflake.requestCount("/v1/data/pipes/DB.UNIT." + SnowpipeBackend.pipeName("KSBRIDGE", table, 0)
                + "/insertFiles"), "the halted backend submitted the file");
        assertTrue(snowflake.stageFiles("DB.UNIT." + SnowpipeBackend.stageName("KSBRIDGE", table)).size() == 1,
                "the file was staged (the next owner reconciles it)");
    }

    @Test
    void ingest_recordWithADuplicateKey_landsWithTheLastValueAndDoesNotFailItsFile() throws Exception {
        // Snowflake's JSON file format fails a whole file over one object with a repeated key unless the pipe says
        // ALLOW_DUPLICATE = TRUE; the backend's pipe does, so the row lands as Snowpipe Streaming lands it (last wins)
        TopicPartition tp = new TopicPartition("dup", 0);
        List<IngestRow> rows = List.of(
                new IngestRow(0, "{\"id\":0}".getBytes(StandardCharsets.UTF_8), "{\"offset\":0}".getBytes(StandardCharsets.UTF_8)),
                new IngestRow(1, "{\"id\":1,\"id\":2}".getBytes(StandardCharsets.UTF_8),
                        "{\"offset\":1}".getBytes(StandardCharsets.UTF_8)));
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("DUPS", tp);
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, new IngestBatch("DUPS", tp, 0, 1, rows, 1)));
        }
        List<io.ksbridge.testkit.emulator.Row> landed = snowflake.table("DB.UNIT.DUPS").rows();
        assertEquals(2, landed.size(), "both rows of the file landed");
        assertTrue(landed.stream().anyMatch(r -> r.content().path("id").asInt() == 2), "the last value wins: " + landed);
    }

    @Test
    void ingest_batchAfterAFailedOne_retriedWithoutStagingUntilTheEarlierIsDurable() throws Exception {
        TopicPartition tp = new TopicPartition("t2", 0);
        AtomicInteger calls = new AtomicInteger();
        List<String> staged = new ArrayList<>();
        StageUploader failingOnce = (stage, path, data) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("injected");
            }
            synchronized (staged) {
                staged.add(path);
            }
            driver.upload(stage, path, data);
        };
        try (SnowpipeBackend backend = backend("UNIT", failingOnce)) {
            backend.open("T2", tp);
            var first = backend.ingest(batch("T2", tp, 0, 4, 1));
            var second = backend.ingest(batch("T2", tp, 5, 9, 1));
            IngestResult r1 = first.toCompletableFuture().get(10, TimeUnit.SECONDS);
            IngestResult r2 = second.toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertInstanceOf(IngestResult.Retry.class, r1);
            assertTrue(((IngestResult.Retry) r1).cause().getMessage().contains("failed: injected"), r1.toString());
            assertInstanceOf(IngestResult.Retry.class, r2);
            assertEquals("an earlier batch of t2-0 (from offset 0) is not durable yet", ((IngestResult.Retry) r2).cause().getMessage());
            assertTrue(staged.isEmpty(), "nothing after the failed batch was staged: " + staged);
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T2", tp, 0, 4, 2)));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T2", tp, 5, 9, 2)));
            Await.rows(snowflake, "DB.UNIT.T2", 10, Duration.ofSeconds(10));
        }
    }

    @Test
    void open_fileLeftOnStageNeverSubmitted_isSubmittedRemovedAndResumedAfter() throws Exception {
        TopicPartition tp = new TopicPartition("t3", 1);
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("T3", tp);
        }
        // an earlier run staged offsets 0..4 and died before insertFiles
        String stage = "DB.UNIT." + SnowpipeBackend.stageName("KSBRIDGE", "T3");
        String path = FileNames.name(FileNames.prefix("KSBRIDGE", "T3", tp), 0, 4, Compression.GZIP);
        snowflake.stages().write(stage, path, NdjsonFiles.write(batch("T3", tp, 0, 4, 1).rows(), Compression.GZIP));
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            assertEquals(PartitionStart.at(5), backend.open("T3", tp));
            Await.rows(snowflake, "DB.UNIT.T3", 5, Duration.ofSeconds(10));
            Await.until("the stage to empty", Duration.ofSeconds(10), () -> snowflake.stageFiles(stage).isEmpty());
            // a retry of a batch the reconciliation already covers is durable without a new file
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T3", tp, 0, 4, 1)));
        }
        assertEquals(5, snowflake.table("DB.UNIT.T3").rowCount());
    }

    @Test
    void open_existingTableWithNotNullColumn_fatalErrorSaysWhatToFix() {
        SqlApiClient sql = SqlApiClient.create(snowflake.account());
        sql.execute("CREATE TABLE IF NOT EXISTS DB.UNIT.STRICT (ID NUMBER NOT NULL)");
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            IngestException e = assertThrows(IngestException.class, () -> backend.open("STRICT", new TopicPartition("s", 0)));
            assertFalse(e.isRetriable());
            assertEquals("Table \"DB\".\"UNIT\".\"STRICT\" has NOT NULL column(s) [ID], which rows loaded by Snowpipe"
                    + " (RECORD_CONTENT and RECORD_METADATA only) cannot fill. Make them nullable (ALTER TABLE"
                    + " \"DB\".\"UNIT\".\"STRICT\" ALTER COLUMN ID DROP NOT"
                    + " NULL) or load the topic into another table.", e.getMessage());
        }
    }

    @Test
    void open_existingTableWithoutVariantColumns_gainsThem() {
        SqlApiClient sql = SqlApiClient.create(snowflake.account());
        sql.execute("CREATE TABLE IF NOT EXISTS DB.UNIT.LEGACY (NOTE VARCHAR)");
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("LEGACY", new TopicPartition("l", 0));
        }
        assertEquals(List.of("NOTE", "RECORD_METADATA", "RECORD_CONTENT"),
                snowflake.table("DB.UNIT.LEGACY").columns().stream().map(c -> c.name()).toList());
    }

    @Test
    void close_afterIngest_waitsForTheLoadAndLeavesTheStageEmpty() throws Exception {
        TopicPartition tp = new TopicPartition("t4", 0);
        String stage = "DB.UNIT." + SnowpipeBackend.stageName("KSBRIDGE", "T4");
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("UNIT")
                .statusPollInterval(Duration.ofMillis(100)).closeTimeout(Duration.ofSeconds(5)).build();
        backend.start(new BackendContext("test", BridgeListener.noop(), RetryPolicy.defaults()));
        backend.open("T4", tp);
        assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T4", tp, 0, 99, 1)));
        backend.close();
        assertEquals(100, snowflake.table("DB.UNIT.T4").rowCount());
        assertTrue(snowflake.stageFiles(stage).isEmpty(), snowflake.stageFiles(stage).toString());
        assertEquals(0, backend.pendingLoads());
    }

    @Test
    void ingest_snowpipeRefusesTheToken_fatalWithWhatToFix() throws Exception {
        TopicPartition tp = new TopicPartition("t5", 0);
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("T5", tp);
            // the driver signs in once, with a good clock; its session outlives the skew below
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T5", tp, 0, 9, 1)));
            snowflake.clockSkew(Duration.ofHours(2)); // every token now looks expired, even the SDK's refreshed one
            IngestResult result;
            try {
                result = ingest(backend, batch("T5", tp, 10, 19, 1));
            } finally {
                snowflake.clockSkew(Duration.ZERO);
            }
            IngestResult.Fatal fatal = assertInstanceOf(IngestResult.Fatal.class, result);
            IngestException e = assertInstanceOf(IngestException.class, fatal.cause());
            assertFalse(e.isRetriable());
            assertEquals("Snowpipe insertFiles for 1 file(s) on pipe DB.UNIT.SNOWFLAKE_KAFKA_CONNECTOR_KSBRIDGE_PIPE_T5_0 was"
                    + " refused: Snowflake did not accept the key-pair JWT of user KSBRIDGE in account 127 (HTTP 401). Check"
                    + " that the user's RSA_PUBLIC_KEY matches the configured private key (fingerprint "
                    + snowflake.account().publicKeyFingerprint() + "), that the account name is right, and that this"
                    + " machine's clock is correct.", e.getMessage());
        }
    }

    @Test
    void ingest_driverLoginRefused_fatalWithWhatToFix() throws Exception {
        TopicPartition tp = new TopicPartition("t5b", 0);
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("T5B", tp);
            snowflake.clockSkew(Duration.ofHours(2)); // the driver's first login comes with an expired-looking JWT
            IngestResult result;
            try {
                result = ingest(backend, batch("T5B", tp, 0, 9, 1));
            } finally {
                snowflake.clockSkew(Duration.ZERO);
            }
            IngestResult.Fatal fatal = assertInstanceOf(IngestResult.Fatal.class, result);
            IngestException e = assertInstanceOf(IngestException.class, fatal.cause());
            assertFalse(e.isRetriable());
            assertTrue(e.getMessage().startsWith("the Snowflake JDBC driver could not sign in to stage KSBRIDGE/T5B/"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(": Snowflake refused the key-pair JWT of user KSBRIDGE in account 127: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("(code 390144). Check that the user's RSA_PUBLIC_KEY matches the configured"
                    + " private key (its fingerprint is " + snowflake.account().publicKeyFingerprint() + "; see DESC USER"
                    + " KSBRIDGE), that the account name is right, and that this machine's clock is correct."), e.getMessage());
            assertFalse(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        }
    }

    @Test
    void ingest_cloudStyleStage_driverEncryptsEachFileToThePresignedUrlAndTheRowsLand() throws Exception {
        TopicPartition tp = new TopicPartition("t9", 0);
        long uploadsBefore = snowflake.requestCount("/gcs-upload/");
        snowflake.cloudStyleStages(true);
        try (SnowpipeBackend backend = backend("CLOUD", null)) {
            backend.open("T9", tp);
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T9", tp, 0, 49, 1)));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T9", tp, 50, 99, 1)));
            Await.rows(snowflake, "DB.CLOUD.T9", 100, Duration.ofSeconds(30));
        } finally {
            snowflake.cloudStyleStages(false);
        }
        assertEquals(2, snowflake.requestCount("/gcs-upload/") - uploadsBefore, "each file PUT, encrypted, to its URL");
        List<Integer> ids = snowflake.table("DB.CLOUD.T9").rows().stream().map(r -> r.content().get("id").asInt()).sorted()
                .toList();
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), ids);
    }

    @Test
    void ingest_batchOverlappingAcceptedFiles_stagesOnlyTheNewOffsets() throws Exception {
        TopicPartition tp = new TopicPartition("t6", 0);
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            backend.open("T6", tp);
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T6", tp, 0, 9, 1)));
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T6", tp, 5, 14, 1)));
            snowflake.awaitIdle(Duration.ofSeconds(10));
            List<Integer> ids = snowflake.table("DB.UNIT.T6").rows().stream().map(r -> r.content().get("id").asInt()).sorted()
                    .toList();
            assertEquals(java.util.stream.IntStream.range(0, 15).boxed().toList(), ids);
            assertEquals(List.of("0_9.json.zst", "10_14.json.zst"), snowflake.loadHistory(
                    "DB.UNIT." + SnowpipeBackend.pipeName("KSBRIDGE", "T6", 0)).stream()
                    .map(l -> l.path().substring(l.path().lastIndexOf('/') + 1)).toList());
        }
    }

    @Test
    void load_notDoneWithinLoadTimeout_movedToTableStageAndReported() throws Exception {
        TopicPartition tp = new TopicPartition("t7", 0);
        List<io.ksbridge.BridgeEvents.LoadFailure> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onLoadFailure(io.ksbridge.BridgeEvents.LoadFailure event) {
                failures.add(event);
            }
        };
        SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("UNIT")
                .statusPollInterval(Duration.ofMillis(50)).historyFallback(Duration.ofMillis(100)).loadTimeout(Duration.ofSeconds(1))
                .closeTimeout(Duration.ZERO).build();
        backend.start(new BackendContext("test", listener, RetryPolicy.defaults()));
        snowflake.faults().holdLoads(true);
        try {
            backend.open("T7", tp);
            assertInstanceOf(IngestResult.Durable.class, ingest(backend, batch("T7", tp, 0, 9, 1)));
            Await.until("the load timeout", Duration.ofSeconds(10), () -> !failures.isEmpty());
        } finally {
            snowflake.faults().holdLoads(false);
            backend.close();
        }
        io.ksbridge.BridgeEvents.LoadFailure f = failures.get(0);
        assertEquals("T7", f.table());
        assertEquals(tp, f.partition());
        assertEquals(0, f.firstOffset());
        assertEquals(9, f.lastOffset());
        assertEquals("not loaded within PT1S of submission", f.error());
        assertTrue(f.location().startsWith("@\"DB\".\"UNIT\".%\"T7\"/failed/KSBRIDGE/T7/"), f.location());
        assertEquals(1, snowflake.stageFiles("DB.UNIT.%T7").size());
        assertTrue(snowflake.stageFiles("DB.UNIT." + SnowpipeBackend.stageName("KSBRIDGE", "T7")).isEmpty());
    }

    @Test
    void toString_neverShowsTheKey() {
        try (SnowpipeBackend backend = backend("UNIT", null)) {
            String text = backend.toString();
            assertFalse(text.contains(snowflake.privateKeyPem().reveal().split("\n")[1]), text);
            assertTrue(text.startsWith("SnowpipeBackend{account=http://127.0.0.1:"), text);
        }
    }
}
