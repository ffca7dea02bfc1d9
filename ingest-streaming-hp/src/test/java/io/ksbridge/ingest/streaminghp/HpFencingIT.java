package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.ingest.PartitionStart;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two backends own the same partition in turn: the old owner is fenced and its rows never land. */
@KsbridgeTest
class HpFencingIT {
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
    }

    static IngestBatch batch(TopicPartition tp, long from, long to) {
        List<IngestRow> rows = new ArrayList<>();
        for (long o = from; o <= to; o++) {
            rows.add(new IngestRow(o, ("{\"id\":" + o + "}").getBytes(StandardCharsets.UTF_8),
                    ("{\"offset\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return new IngestBatch("FENCED", tp, from, to, rows, 1);
    }

    @Test
    void takeover_oldOwnerIsFencedNewOwnerResumesAfterTheCommittedToken() throws Exception {
        TopicPartition tp = new TopicPartition("fenced", 0);
        String table = "DB.HPFENCE.FENCED";
        HpStreamingService hp = HpStreamingService.of(snowflake);
        try (HighPerformanceStreamingBackend first = HpIts.backend(snowflake, "HPFENCE").build();
             HighPerformanceStreamingBackend second = HpIts.backend(snowflake, "HPFENCE").build()) {
            assertEquals(PartitionStart.unknown(), first.open("FENCED", tp));
            assertInstanceOf(IngestResult.Durable.class,
                    first.ingest(batch(tp, 0, 9)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            // a second owner takes the channel over: it resumes after the committed token
            assertEquals(PartitionStart.at(10), second.open("FENCED", tp));
            long fencedBefore = hp.fencedRequests();
            // the old owner does not know yet: its rows are refused by Snowflake (a superseded continuation token)
            var stale = first.ingest(batch(tp, 10, 19)).toCompletableFuture();
            Await.until("the old owner's request refused", Duration.ofSeconds(30), () -> hp.fencedRequests() > fencedBefore);
            assertInstanceOf(IngestResult.Durable.class,
                    second.ingest(batch(tp, 10, 14)).toCompletableFuture().get(30, TimeUnit.SECONDS));
            IngestResult old = stale.get(30, TimeUnit.SECONDS);
            snowflake.awaitIdle(Duration.ofSeconds(10));
            // 0..9 from the first owner, 10..14 from the second; the fenced 10..19 never landed
            List<Long> ids = new ArrayList<>();
            snowflake.table(table).rows().forEach(r -> ids.add(r.content().get("id").asLong()));
            assertEquals(HpIts.rangeOf(0, 14), ids);
            assertEquals("14", hp.committedOffsetToken(table, "fenced_0").orElseThrow());
            // the old owner's batch is never counted durable past what is in the table
            assertTrue(!(old instanceof IngestResult.Durable) || ids.contains(19L), "stale batch reported " + old);
        }
    }
}
