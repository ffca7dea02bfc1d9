package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.batch;
import static io.ksbridge.ingest.streaming.StreamingIts.range;
import static io.ksbridge.ingest.streaming.StreamingIts.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.ingest.IngestResult;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.TestRows;
import io.ksbridge.testkit.streaming.StreamingService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: a release settles its channels before it returns (the next owner reads a token covering every row this
 * owner will ever land), and the commit poller asks the tokens of its waiting channels in one request.
 */
@KsbridgeTest
class StreamingReleaseIT {
    static SnowflakeEmulator snowflake;
    static StreamingService streaming;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        streaming = StreamingService.of(snowflake);
    }

    /**
     * Rows the SDK holds when the partitions are revoked are committed when {@code releaseAll} returns, although
     * Snowflake commits each blob only 1.5 s after it registered: the release waited for the channels' close. Three
     * channels are released in one call.
     */
    @Test
    void releaseAll_rowsInTheSdk_committedBeforeItReturns() throws Exception {
        List<TopicPartition> tps = List.of(new TopicPartition("rel", 0), new TopicPartition("rel", 1),
                new TopicPartition("rel", 2));
        Duration delay = Duration.ofMillis(1500);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "RELEASE")
                .maxClientLag(Duration.ofSeconds(30)) // nothing flushes on its own: only the close sends the rows
                .closeTimeout(Duration.ofSeconds(20)).build()) {
            for (TopicPartition tp : tps) {
                backend.open("T", tp);
            }
            streaming.delayCommits(delay);
            List<CompletableFuture<IngestResult>> waiting = new ArrayList<>();
            for (TopicPartition tp : tps) {
                waiting.add(backend.ingest(batch(tp, 0, 99, 1)).toCompletableFuture());
            }
            Await.until("300 rows in the SDK's buffers", Duration.ofSeconds(30), () -> backend.rowsWritten() == 300);
            for (TopicPartition tp : tps) {
                assertTrue(streaming.committedOffsetToken("DB.RELEASE.T", tp.topic() + "_" + tp.partition()).isEmpty(),
                        "nothing committed before the release");
            }
            long before = System.nanoTime();
            backend.releaseAll(tps.stream().map(tp -> Map.entry(tp, "T")).toList());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
            for (TopicPartition tp : tps) {
                assertEquals("99", streaming.committedOffsetToken("DB.RELEASE.T", tp.topic() + "_" + tp.partition())
                        .orElse("none"), tp + ": committed when the release returned");
            }
            assertTrue(tookMs >= delay.toMillis(), "the release waited for the delayed commit, took " + tookMs + " ms");
            for (CompletableFuture<IngestResult> w : waiting) {
                // a release abandons its waiting batches: retried by whoever owns the partition next
                assertTrue(w.get(5, TimeUnit.SECONDS) instanceof IngestResult.Retry, "abandoned: " + w.join());
            }
        } finally {
            streaming.delayCommits(Duration.ZERO);
        }
        assertEquals(300, TestRows.ids(snowflake, "DB.RELEASE.T").size());
        assertEquals(range(0, 99), TestRows.ids(snowflake, "DB.RELEASE.T").stream().distinct().sorted().toList());
    }

    /**
     * Four channels waiting together are asked in shared status requests, not one each; one of them invalidated by
     * Snowflake meanwhile (the batched answer has no status code) is still noticed and its batch retried, and every
     * row lands once.
     */
    @Test
    void pollCommits_severalChannelsWaiting_tokensAskedTogether_invalidationStillSeen() throws Exception {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            tps.add(new TopicPartition("batched", p));
        }
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "BATCHED").build()) {
            for (TopicPartition tp : tps) {
                backend.open("T", tp);
            }
            long requests = streaming.statusRequests();
            long asked = streaming.statusesAsked();
            streaming.delayCommits(Duration.ofMillis(800)); // every channel waits several poll rounds
            List<CompletableFuture<IngestResult>> first = new ArrayList<>();
            for (TopicPartition tp : tps) {
                first.add(backend.ingest(batch(tp, 0, 49, 1)).toCompletableFuture());
            }
            for (CompletableFuture<IngestResult> f : first) {
                assertEquals(IngestResult.durable(), f.get(30, TimeUnit.SECONDS));
            }
            long batchedRequests = streaming.statusRequests() - requests;
            long batchedAsked = streaming.statusesAsked() - asked;
            assertTrue(batchedAsked >= 2 * batchedRequests, "tokens asked together: " + batchedAsked
                    + " channel statuses in " + batchedRequests + " requests");

            streaming.delayCommits(Duration.ZERO);
            streaming.invalidate("DB.BATCHED.T", "batched_2");
            for (TopicPartition tp : tps) {
                IngestResult r = result(backend, batch(tp, 50, 99, 1));
                int attempt = 1;
                while (r instanceof IngestResult.Retry && attempt < 5) {
                    r = result(backend, batch(tp, 50, 99, ++attempt)); // as the engine hands a retried batch over again
                }
                assertEquals(IngestResult.durable(), r, tp + " after " + attempt + " attempts");
            }
        } finally {
            streaming.delayCommits(Duration.ZERO);
        }
        List<Long> ids = TestRows.ids(snowflake, "DB.BATCHED.T");
        assertEquals(400, ids.size(), "each partition's 100 rows once");
        for (TopicPartition tp : tps) {
            assertEquals("99", streaming.committedOffsetToken("DB.BATCHED.T", "batched_" + tp.partition()).orElseThrow());
        }
    }
}
