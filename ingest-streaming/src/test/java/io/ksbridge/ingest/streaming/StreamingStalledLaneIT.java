package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.range;
import static io.ksbridge.ingest.streaming.StreamingIts.result;
import static io.ksbridge.ingest.streaming.StreamingIts.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.streaming.StreamingService;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, item 7 (Streaming): one channel's reopen hanging on Snowflake does not hold back the commits of another
 * partition's channel. Before, the commit poller waited on the stalled lane's monitor, which the writer held across
 * the reopen, and no batch of any partition became durable until the reopen returned.
 */
@KsbridgeTest
class StreamingStalledLaneIT {
    static SnowflakeEmulator snowflake;
    static StreamingService streaming;

    /** Holds channel opens while closed; counts the opens it holds. Delegates everything to the service. */
    static final class OpenGate implements HttpHandler {
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch held = new CountDownLatch(1);
        volatile boolean closed;

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            if (closed) {
                held.countDown();
                try {
                    if (!open.await(60, TimeUnit.SECONDS)) {
                        throw new IOException("the test never opened the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            streaming.handle(exchange);
        }
    }

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        streaming = StreamingService.of(snowflake);
    }

    private static IngestBatch batch(TopicPartition tp, long first, long last, int attempt) {
        List<IngestRow> rows = new ArrayList<>();
        for (long o = first; o <= last; o++) {
            rows.add(new IngestRow(o, utf8("{\"id\":" + o + ",\"p\":" + tp.partition() + "}"), utf8("{\"offset\":" + o + "}")));
        }
        return new IngestBatch("T", tp, first, last, rows, attempt);
    }

    @Test
    void reopenHangs_otherPartitionsBatchStillDurable_whileTheReopenIsHeld() throws Exception {
        TopicPartition stalled = new TopicPartition("stall", 0);
        TopicPartition other = new TopicPartition("stall", 1);
        // two writer threads, and partitions on different ones: the test is about the shared commit poller
        assertNotEquals(Math.floorMod(stalled.hashCode(), 2), Math.floorMod(other.hashCode(), 2));
        OpenGate gate = new OpenGate();
        snowflake.mount("/v1/streaming/channels/open/", gate);
        try (StreamingBackend backend = StreamingIts.backend(snowflake, "STALL").writerThreads(2).build()) {
            backend.open("T", stalled);
            backend.open("T", other);
            assertEquals(IngestResult.durable(), result(backend, batch(stalled, 0, 9, 1)));
            assertEquals(IngestResult.durable(), result(backend, batch(other, 0, 9, 1)));

            streaming.invalidate("DB.STALL.T", "stall_0");
            assertInstanceOf(IngestResult.Retry.class, result(backend, batch(stalled, 10, 19, 1)),
                    "the batch written to the invalidated channel is retried");
            gate.closed = true;
            CompletableFuture<IngestResult> retried = backend.ingest(batch(stalled, 10, 19, 2)).toCompletableFuture();
            assertTrue(gate.held.await(30, TimeUnit.SECONDS), "the reopen reached Snowflake and is held");

            CompletableFuture<IngestResult> meanwhile = backend.ingest(batch(other, 10, 19, 1)).toCompletableFuture();
            Await.until(Duration.ofSeconds(30), meanwhile::isDone,
                    () -> "the other partition's batch to be durable while the stalled channel's reopen is held");
            assertEquals(IngestResult.durable(), meanwhile.get());
            assertFalse(retried.isDone(), "the stalled partition's batch waits for its reopen");
            assertEquals(1, gate.open.getCount(), "the gate was still closed");

            gate.closed = false;
            gate.open.countDown();
            assertEquals(IngestResult.durable(), retried.get(30, TimeUnit.SECONDS));
        }
        List<Long> zero = new ArrayList<>();
        List<Long> one = new ArrayList<>();
        snowflake.table("DB.STALL.T").rows().forEach(r ->
                (r.content().get("p").asInt() == 0 ? zero : one).add(r.content().get("id").asLong()));
        zero.sort(Long::compare);
        one.sort(Long::compare);
        assertEquals(range(0, 19), zero);
        assertEquals(range(0, 19), one);
    }
}
