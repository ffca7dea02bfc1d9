package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeListener;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The load monitor against the emulator's Snowpipe: how many load events it keeps, and that tracked files settle. */
@KsbridgeTest
class LoadMonitorTest {

    @Test
    void insertReport_moreEventsThanItKeeps_trackedFileSettlesFromTheReportAndKeptEventsStayBounded(SnowflakeEmulator snowflake)
            throws Exception {
        try (SqlApiClient sql = SqlApiClient.create(snowflake.account())) {
            snowflake.tables().retainRows(false);
            sql.execute("CREATE TABLE IF NOT EXISTS DB.S.T (RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT)");
            sql.execute("CREATE STAGE IF NOT EXISTS DB.S.ST");
            sql.execute("CREATE PIPE IF NOT EXISTS DB.S.P AS COPY INTO DB.S.T(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT"
                    + " $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @DB.S.ST t) FILE_FORMAT = (TYPE = 'JSON')");
            int files = 1_500;
            List<String> paths = new ArrayList<>();
            byte[] file = NdjsonFiles.write(List.of(new io.ksbridge.ingest.IngestRow(0, "{\"id\":1}".getBytes(),
                    "{\"offset\":0}".getBytes())), Compression.ZSTD);
            for (int i = 0; i < files; i++) {
                String path = "f/" + i + ".json.zst";
                snowflake.stages().write("DB.S.ST", path, file);
                paths.add(path);
            }
            PipeClient pipe = new PipeClient(snowflake.account(), "DB.S.P");
            pipe.insertFiles(paths, null);
            Await.until(Duration.ofSeconds(30), () -> snowflake.table("DB.S.T").rowCount() == files,
                    () -> files + " files loaded, " + snowflake.table("DB.S.T").rowCount() + " so far");

            // the monitor tracks the first file only; its first report carries all 1,500 load events
            try (LoadMonitor monitor = new LoadMonitor(new SnowflakeObjects(sql, "DB", "S"), failure -> { },
                    Duration.ofMillis(20), Duration.ofHours(1), Duration.ofHours(1), "test")) {
                monitor.track(pipe, new LoadMonitor.Pending("T", new TopicPartition("t", 0), "ST", paths.get(0), 0, 0,
                        Instant.now()));
                Await.until(Duration.ofSeconds(10), () -> monitor.pendingCount() == 0,
                        () -> "the tracked file settled from the report (the history scan is an hour away)");
                assertTrue(monitor.recentEvents() <= 1_000, "events kept: " + monitor.recentEvents());
                assertTrue(monitor.recentEvents() >= 900, "the bound keeps the newest, not none: " + monitor.recentEvents());
            }
            assertEquals(files - 1, snowflake.stageFiles("DB.S.ST").size(), "the loaded, tracked file was removed");
        }
    }
}
