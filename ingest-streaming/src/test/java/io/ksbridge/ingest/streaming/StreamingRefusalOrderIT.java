package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a batch refused while the channel failed must not be overtaken by a later batch. The backend is driven
 * directly (no Kafka, no timing: every step waits for an outcome) with the SDK's real client against the emulator.
 */
class StreamingRefusalOrderIT {
    static SnowflakeEmulator snowflake;
    static StreamingService streaming;

    @BeforeAll
    static void start() {
        snowflake = SnowflakeEmulator.start();
        streaming = StreamingService.of(snowflake);
    }

    @AfterAll
    static void stop() {
        snowflake.close();
    }

    private static IngestBatch batch(TopicPartition tp, long first, long last, int attempt) {
        List<IngestRow> rows = new ArrayList<>();
        for (long o = first; o <= last; o++) {
            rows.add(new IngestRow(o, utf8("{\"id\":" + o + "}"), utf8("{\"offset\":" + o + "}")));
        }
        return new IngestBatch("T", tp, first, last, rows, attempt);
    }

    private static IngestResult await(CompletableFuture<IngestResult> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    @Test
    void refusedBatch_laterBatchesHandedOverBeforeItsRetry_everyDurableRowInTheTableOnce() throws Exception {
        TopicPartition tp = new TopicPartition("order", 0);
        List<IngestBatch> durable = new ArrayList<>();
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "ORDER").build()) {
            backend.open("T", tp);
            IngestBatch first = batch(tp, 0, 9, 1);
            assertEquals(IngestResult.durable(), await(backend.ingest(first).toCompletableFuture()));
            durable.add(first);

            // the channel fails: the next batch, A, is refused
            streaming.invalidate("DB.ORDER.T", "order_0");
            IngestBatch a = batch(tp, 10, 19, 1);
            assertInstanceOf(IngestResult.Retry.class, await(backend.ingest(a).toCompletableFuture()),
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
                    IngestResult r = await(results.get(i));
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
        List<Long> ids = new ArrayList<>();
        for (Row r : snowflake.table("DB.ORDER.T").rows()) {
            ids.add(r.content().get("id").asLong());
        }
        ids.sort(Long::compare);
        assertEquals(expected, ids, "rows of the batches reported durable, each once");
        assertEquals(40, ids.size(), "every batch ended durable");
        assertEquals("39", streaming.committedOffsetToken("DB.ORDER.T", "order_0").orElseThrow());
        assertTrue(ids.containsAll(List.of(20L, 29L)), "batch B's rows landed");
    }
}
