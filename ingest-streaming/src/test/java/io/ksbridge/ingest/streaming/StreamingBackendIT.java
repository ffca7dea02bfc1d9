package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.batch;
import static io.ksbridge.ingest.streaming.StreamingIts.range;
import static io.ksbridge.ingest.streaming.StreamingIts.result;
import static io.ksbridge.ingest.streaming.StreamingIts.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestRows;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend driven directly (no Kafka) against the emulator and the SDK's real client: tokens, takeover, faults. */
@KsbridgeTest
class StreamingBackendIT {
    static SnowflakeEmulator snowflake;
    static StreamingService streaming;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        streaming = StreamingService.of(snowflake);
    }


    private static List<Long> ids(String table) {
        return TestRows.ids(snowflake, table);
    }

    /** A table whose name needs quotes keeps its case: created quoted, its channel opened on it, rows land there. */
    @Test
    void open_mixedCaseTable_caseSurvivesTableAndChannel() throws Exception {
        TopicPartition tp = new TopicPartition("mixed", 0);
        IngestBatch t = batch(tp, 0, 9, 1);
        IngestBatch mixed = new IngestBatch("MixedCase", tp, t.firstOffset(), t.lastOffset(), t.rows(), 1);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "CASES").build()) {
            assertEquals(PartitionStart.unknown(), backend.open("MixedCase", tp));
            assertEquals(IngestResult.durable(), result(backend, mixed));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), ids("DB.CASES.\"MixedCase\""));
        assertEquals(List.of("DB.CASES.\"MixedCase\""), snowflake.tables().names().stream()
                .filter(n -> n.startsWith("DB.CASES.")).toList(), "one table, in the case it was named");
        assertEquals("9", streaming.committedOffsetToken("DB.CASES.\"MixedCase\"", "mixed_0").orElseThrow());
    }

    @Test
    void open_newChannelThenCommittedToken_resumesAfterToken() throws Exception {
        TopicPartition tp = new TopicPartition("resume", 0);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "RESUME").build()) {
            assertEquals(PartitionStart.unknown(), backend.open("T", tp));
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 0, 99, 1)));
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 100, 149, 1)));
        }
        assertEquals("149", streaming.committedOffsetToken("DB.RESUME.T", "resume_0").orElseThrow());
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "RESUME").build()) {
            assertEquals(new PartitionStart(OptionalLong.of(150)), backend.open("T", tp));
            // a retried batch that the token already covers is not written again
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 100, 149, 2)));
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 150, 159, 1)));
        }
        assertEquals(range(0, 159), ids("DB.RESUME.T"));
    }

    @Test
    void takeover_oldOwnerWritesAfterAnotherOpened_getsRetryAndNeverLands() throws Exception {
        TopicPartition tp = new TopicPartition("takeover", 0);
        try (StreamingBackend a = StreamingIts.backend(snowflake, "TAKEOVER").build();
             StreamingBackend b = StreamingIts.backend(snowflake, "TAKEOVER").build()) {
            a.open("T", tp);
            assertEquals(IngestResult.durable(), result(a, batch(tp, 0, 9, 1)));
            assertEquals(new PartitionStart(OptionalLong.of(10)), b.open("T", tp));
            long stale = streaming.staleRegistrations();
            IngestResult late = result(a, batch(tp, 10, 19, 1)); // the old owner, not told yet
            assertInstanceOf(IngestResult.Retry.class, late);
            assertTrue(streaming.staleRegistrations() > stale || streaming.refusedRegistrations() > 0
                            || late instanceof IngestResult.Retry,
                    "the old owner's write must be refused");
            assertEquals(IngestResult.durable(), result(b, batch(tp, 10, 14, 1)));
        }
        // ids 15..19 were only ever written by the invalidated owner: they must not be there
        assertEquals(range(0, 14), ids("DB.TAKEOVER.T"));
        assertEquals("14", streaming.committedOffsetToken("DB.TAKEOVER.T", "takeover_0").orElseThrow());
    }

    @Test
    void failedRegistration_batchAndLaterOnesRetried_reopenWritesEachRowOnce() throws Exception {
        TopicPartition tp = new TopicPartition("faults", 0);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "FAULTS").build()) {
            backend.open("T", tp);
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 0, 9, 1)));
            streaming.failNextRegistrations(1);
            var first = backend.ingest(batch(tp, 10, 19, 1));
            var second = backend.ingest(batch(tp, 20, 29, 1));
            assertInstanceOf(IngestResult.Retry.class, first.toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertInstanceOf(IngestResult.Retry.class, second.toCompletableFuture().get(30, TimeUnit.SECONDS));
            long opens = streaming.clientSequencer("DB.FAULTS.T", "faults_0");
            // the engine hands the failed batches over again, in order
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 10, 19, 2)));
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 20, 29, 2)));
            assertEquals(opens + 1, streaming.clientSequencer("DB.FAULTS.T", "faults_0"), "reopened once");
        }
        assertEquals(range(0, 29), ids("DB.FAULTS.T"));
    }

    @Test
    void invalidatedChannel_pendingBatchRetried_rowsLandOnce() throws Exception {
        TopicPartition tp = new TopicPartition("invalid", 0);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "INVALID").build()) {
            backend.open("T", tp);
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 0, 9, 1)));
            streaming.invalidate("DB.INVALID.T", "invalid_0");
            assertInstanceOf(IngestResult.Retry.class, result(backend, batch(tp, 10, 19, 1)));
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 10, 19, 2)));
        }
        assertEquals(range(0, 19), ids("DB.INVALID.T"));
    }

    /**
     * A halt is a crash: the rows the SDK buffers are dropped, not sent. The same rows in a backend that closes are
     * flushed, so the check below would see them if halt() flushed.
     */
    @Test
    void halt_rowsBufferedInTheSdk_neverSent_whereCloseFlushesThem() throws Exception {
        String registrations = "/v1/streaming/channels/write/blobs";
        TopicPartition tp = new TopicPartition("halted", 0);
        // a long client lag: the SDK keeps the rows until something asks it to flush
        StreamingBackend halted = StreamingIts.backend(snowflake, "HALTED").maxClientLag(Duration.ofMinutes(5)).build();
        halted.open("T", tp);
        CompletableFuture<IngestResult> pending = halted.ingest(batch(tp, 0, 9, 1)).toCompletableFuture();
        io.ksbridge.testkit.Await.until(Duration.ofSeconds(30), () -> halted.rowsWritten() == 10,
                () -> "10 rows handed to the SDK, were " + halted.rowsWritten());
        long before = snowflake.requestCount(registrations);
        halted.halt();
        snowflake.awaitIdle(Duration.ofSeconds(10));
        assertEquals(before, snowflake.requestCount(registrations), "halt() sent the buffered rows");
        assertEquals(0, snowflake.table("DB.HALTED.T").rowCount());
        assertEquals(java.util.Optional.empty(), streaming.committedOffsetToken("DB.HALTED.T", "halted_0"));
        assertTrue(!pending.isDone(), "a crash answers nothing: " + pending);
        halted.close(); // nothing left to do

        TopicPartition other = new TopicPartition("closed", 0);
        try (StreamingBackend closing = StreamingIts.backend(snowflake, "CLOSED").maxClientLag(Duration.ofMinutes(5))
                .build()) {
            closing.open("T", other);
            closing.ingest(batch(other, 0, 9, 1));
            io.ksbridge.testkit.Await.until(Duration.ofSeconds(30), () -> closing.rowsWritten() == 10,
                    () -> "10 rows handed to the SDK, were " + closing.rowsWritten());
        }
        snowflake.awaitIdle(Duration.ofSeconds(10));
        assertEquals(range(0, 9), ids("DB.CLOSED.T"), "close() flushes what the SDK buffers");
        assertEquals("9", streaming.committedOffsetToken("DB.CLOSED.T", "closed_0").orElseThrow());
    }

    @Test
    void open_untrustedKey_fatalSayingWhatToFix() {
        io.ksbridge.snowflake.SnowflakeAccount stranger = io.ksbridge.snowflake.SnowflakeAccount.builder().url(snowflake.url()).allowInsecureHttp()
                .user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE)
                .privateKey(io.ksbridge.Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate()))).build();
        try (StreamingBackend backend = StreamingBackend.builder().account(stranger).database("DB").schema("AUTH").build()) {
            io.ksbridge.IngestException e = org.junit.jupiter.api.Assertions.assertThrows(io.ksbridge.IngestException.class,
                    () -> backend.open("T", new TopicPartition("auth", 0)));
            assertTrue(!e.isRetriable(), e.getMessage());
            assertTrue(e.getMessage().contains("RSA_PUBLIC_KEY") && e.getMessage().contains(stranger.publicKeyFingerprint()),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        }
    }

    @Test
    void delayedCommit_batchDurableOnlyAfterTheTokenCommits() throws Exception {
        TopicPartition tp = new TopicPartition("delayed", 0);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "DELAYED").build()) {
            backend.open("T", tp);
            streaming.delayCommits(Duration.ofSeconds(2));
            try {
                long started = System.nanoTime();
                assertEquals(IngestResult.durable(), result(backend, batch(tp, 0, 9, 1)));
                assertTrue(System.nanoTime() - started >= Duration.ofSeconds(2).toNanos(), "durable before the commit");
                assertEquals(10, snowflake.table("DB.DELAYED.T").rowCount());
            } finally {
                streaming.delayCommits(Duration.ZERO);
            }
        }
    }

    @Test
    void rejectedRow_notJson_reportedByOffsetOthersDurable() throws Exception {
        TopicPartition tp = new TopicPartition("rejects", 0);
        // CONTINUE: what the backend does for a bridge that dead-letters or skips (failFast gets ABORT)
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "REJECTS")
                .onError(StreamingBackend.OnError.CONTINUE).build()) {
            backend.open("T", tp);
            List<IngestRow> rows = new ArrayList<>();
            for (long o = 0; o < 10; o++) {
                // a custom format may hand over raw bytes that are not JSON: the SDK refuses them for a VARIANT
                String content = o == 4 || o == 9 ? "{\"id\":" + o + ", broken" : "{\"id\":" + o + "}";
                rows.add(new IngestRow(o, utf8(content), utf8("{\"offset\":" + o + "}")));
            }
            IngestResult r = result(backend, new IngestBatch("T", tp, 0, 9, rows, 1));
            IngestResult.Durable durable = assertInstanceOf(IngestResult.Durable.class, r);
            assertEquals(List.of(4L, 9L), durable.rejected().stream().map(IngestResult.RowRejection::offset).toList());
            assertTrue(durable.rejected().get(0).reason().contains("RECORD_CONTENT"), durable.rejected().get(0).reason());
            // a batch with nothing but rejected rows completes too
            List<IngestRow> bad = List.of(new IngestRow(10, utf8("not json"), null));
            IngestResult.Durable allBad = assertInstanceOf(IngestResult.Durable.class,
                    result(backend, new IngestBatch("T", tp, 10, 10, bad, 1)));
            assertEquals(1, allBad.rejected().size());
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 11, 12, 1)));
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 5L, 6L, 7L, 8L, 11L, 12L), ids("DB.REJECTS.T"));
        assertEquals("12", streaming.committedOffsetToken("DB.REJECTS.T", "rejects_0").orElseThrow());
    }

    @Test
    void rejectedRow_onErrorAbort_fatalNamingTheOffsetAndNothingWritten() throws Exception {
        TopicPartition tp = new TopicPartition("aborts", 0);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "ABORTS").onError(StreamingBackend.OnError.ABORT)
                .build()) {
            backend.open("T", tp);
            List<IngestRow> rows = new ArrayList<>();
            for (long o = 0; o < 5; o++) {
                rows.add(new IngestRow(o, utf8(o == 3 ? "{broken" : "{\"id\":" + o + "}"), null));
            }
            IngestResult.Fatal fatal = assertInstanceOf(IngestResult.Fatal.class,
                    result(backend, new IngestBatch("T", tp, 0, 4, rows, 1)));
            assertTrue(fatal.cause().getMessage().startsWith("Snowflake rejected the row at offset 3 of aborts-0 ("),
                    fatal.cause().getMessage());
            assertEquals(IngestResult.durable(), result(backend, batch(tp, 5, 6, 1)));
        }
        assertEquals(List.of(5L, 6L), ids("DB.ABORTS.T"));
    }

    /**
     * Issue 17: a batch refused while the channel failed is never overtaken by a later batch. No Kafka and no timing:
     * every step waits for an outcome.
     */
    @Test
    void refusedBatch_laterBatchesHandedOverBeforeItsRetry_everyDurableRowInTheTableOnce() throws Exception {
        TopicPartition tp = new TopicPartition("order", 0);
        List<IngestBatch> durable = new ArrayList<>();
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "ORDER").build()) {
            backend.open("T", tp);
            IngestBatch first = batch(tp, 0, 9, 1);
            assertEquals(IngestResult.durable(), result(backend, first));
            durable.add(first);

            // the channel fails: the next batch, A, is refused
            streaming.invalidate("DB.ORDER.T", "order_0");
            IngestBatch a = batch(tp, 10, 19, 1);
            assertInstanceOf(IngestResult.Retry.class, result(backend, a),
                    "the batch written to the invalidated channel is retried");

            // back to back: B (handed over before the failure was known), A again, and a new batch C
            IngestBatch b = batch(tp, 20, 29, 1);
            IngestBatch c = batch(tp, 30, 39, 1);
            TreeMap<Long, IngestBatch> refused = new TreeMap<>();
            List<IngestBatch> round = List.of(b, a.withAttempt(2), c);
            for (int attempt = 0; !round.isEmpty(); attempt++) {
                if (attempt == 10) {
                    fail("batches still refused after 10 rounds: " + refused.values());
                }
                List<CompletableFuture<IngestResult>> results = new ArrayList<>();
                for (IngestBatch x : round) {
                    results.add(backend.ingest(x).toCompletableFuture());
                }
                for (int i = 0; i < round.size(); i++) {
                    IngestBatch x = round.get(i);
                    IngestResult r = results.get(i).get(60, TimeUnit.SECONDS);
                    if (r instanceof IngestResult.Durable) {
                        refused.remove(x.firstOffset());
                        durable.add(x);
                    } else {
                        assertInstanceOf(IngestResult.Retry.class, r, x + ": " + r);
                        refused.put(x.firstOffset(), x);
                    }
                }
                // as the engine does: every refused batch handed over again, in offset order
                List<IngestBatch> next = new ArrayList<>();
                for (IngestBatch x : refused.values()) {
                    next.add(x.withAttempt(x.attempt() + 1));
                }
                round = next;
            }
        }
        // every row of every batch reported durable is in the table, once
        List<Long> expected = new ArrayList<>();
        durable.sort(Comparator.comparingLong(IngestBatch::firstOffset));
        for (IngestBatch x : durable) {
            for (IngestRow row : x.rows()) {
                expected.add(row.offset());
            }
        }
        List<Long> ids = ids("DB.ORDER.T");
        assertEquals(expected, ids, "rows of the batches reported durable, each once");
        assertEquals(40, ids.size(), "every batch ended durable");
        assertEquals("39", streaming.committedOffsetToken("DB.ORDER.T", "order_0").orElseThrow());
        assertTrue(ids.containsAll(List.of(20L, 29L)), "batch B's rows landed");
    }
}
