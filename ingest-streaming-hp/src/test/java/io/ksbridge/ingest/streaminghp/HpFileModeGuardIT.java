package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import com.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator keeps the SDK's file mode on this machine: a flush over 1 MiB makes the SDK upload straight to the
 * pipe's cloud storage, and the emulator's pipe info names an S3 region that is not a valid DNS name, so the upload
 * fails at once, before any name is resolved, and the channel goes invalid. Nothing of it reaches any server.
 */
@KsbridgeTest
class HpFileModeGuardIT {
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
    }

    @Test
    void burstOverTheInlineLimit_uploadFailsAtOnceWithoutLeavingTheMachine() throws Exception {
        snowflake.tables().create("DB.GUARD.BURST", List.of(ColumnDef.variant("RECORD_CONTENT")), true);
        HpStreamingService hp = HpStreamingService.of(snowflake);
        long rowsBefore = hp.rowsReceived();
        try (SnowflakeStreamingIngestClient client = SnowflakeStreamingIngestClientFactory
                .builder("GUARD", "DB", "GUARD", "BURST-STREAMING")
                .setProperties(HighPerformanceStreamingBackend.clientProperties(snowflake.account())).build()) {
            SnowflakeStreamingIngestChannel channel = client.openChannel("burst").getChannel();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                rows.add(Map.of("RECORD_CONTENT", Map.of("id", i, "pad", "y".repeat(1_000))));
            }
            long start = System.nanoTime();
            channel.appendRows(rows, "0", "2999"); // about 3 MB in one flush: file mode
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> channel.waitForCommit("2999"::equals, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS));
            double seconds = (System.nanoTime() - start) / 1e9;
            String message = String.valueOf(e.getCause().getMessage());
            System.out.printf("file-mode guard: the burst failed after %.1f s: %s%n", seconds,
                    message.substring(0, Math.min(300, message.length())));
            assertTrue(message.contains("Failed to upload file to s3"), message);
            // the SDK's lag (1 s) plus its status polling (1 s): no DNS lookup or connection retries
            assertTrue(seconds < 6, "the upload did not fail at once: " + seconds + " s");
        }
        assertEquals(rowsBefore, hp.rowsReceived(), "rows of the burst reached the emulator another way");
        assertEquals(0, snowflake.requestCount("/v2/streaming/data/databases/DB/schemas/GUARD/pipes/BURST-STREAMING/channels/burst/filebuffer"));
    }
}
