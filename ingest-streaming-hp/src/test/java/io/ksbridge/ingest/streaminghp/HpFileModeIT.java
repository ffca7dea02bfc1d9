package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The SDK's file mode, served: a JVM of its own, started with {@code AWS_ENDPOINT_URL} pointing at the emulator (the
 * only way to aim the SDK's uploads), loads bursts the SDK sends as encrypted files to the emulator's S3 endpoint and
 * registers; every row lands once, read back from the uploaded files.
 */
class HpFileModeIT {
    private static final int ROWS = 40_000;

    @Test
    void bursts_forkedClientWithAwsEndpointUrl_uploadedFilesLoadEveryRowOnce() throws Exception {
        try (SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            HpStreamingService hp = HpStreamingService.of(snowflake);
            hp.serveFileMode(true);
            Path key = Files.createTempFile("hp-key", ".pem");
            Path log = Files.createTempFile("hp-filemode", ".log");
            try {
                Files.writeString(key, snowflake.privateKeyPem().reveal());
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-DSS_LOG_LEVEL=warn", "-DSS_PROCESS_INFO_REFRESH_DURATION_MS=1000",
                        "-cp", System.getProperty("java.class.path"), FileModeClient.class.getName(),
                        snowflake.url(), key.toString(), Integer.toString(ROWS), "BULK");
                Map<String, String> env = pb.environment();
                env.keySet().removeIf(k -> k.startsWith("AWS_"));
                env.put("AWS_ENDPOINT_URL", snowflake.url()); // the SDK's uploads go to the emulator, on loopback
                env.put("AWS_EC2_METADATA_DISABLED", "true"); // never the instance metadata address
                env.put("AWS_CONFIG_FILE", "/dev/null");
                env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
                pb.redirectErrorStream(true).redirectOutput(log.toFile());
                Process child = pb.start();
                boolean done = child.waitFor(180, TimeUnit.SECONDS);
                if (!done) {
                    child.destroyForcibly();
                }
                String output = Files.readString(log, StandardCharsets.UTF_8);
                output.lines().filter(l -> l.startsWith("FILEMODE") || l.startsWith("FAILED")).forEach(System.out::println);
                assertTrue(done && child.exitValue() == 0, "the client failed: " + output.substring(Math.max(0,
                        output.length() - 3_000)));
            } finally {
                Files.deleteIfExists(key);
                Files.deleteIfExists(log);
            }
            snowflake.awaitIdle(java.time.Duration.ofSeconds(10));
            assertTrue(!hp.uploadedFiles().isEmpty(), "no file was uploaded: the SDK stayed in REST mode");
            assertTrue(snowflake.requestCount("/v2/streaming/data/databases/DB/schemas/FILES/pipes/\"BULK-STREAMING\"/channels/"
                    + "bulk_0/filebuffer") > 0, "no file was registered");
            List<Row> rows = snowflake.table("DB.FILES.BULK").rows();
            TreeSet<Long> ids = new TreeSet<>();
            for (Row r : rows) {
                assertTrue(r.content().isObject() && r.content().get("pad").asText().length() == 900, r.toString());
                ids.add(r.content().get("id").asLong());
            }
            assertEquals(ROWS, rows.size());
            assertEquals(ROWS, ids.size());
            assertEquals(Long.toString(ROWS - 1), hp.committedOffsetToken("DB.FILES.BULK", "bulk_0").orElseThrow());
            System.out.printf("file mode: %d files uploaded (%,d bytes)%n", hp.uploadedFiles().size(),
                    new ArrayList<>(hp.uploadedFiles().values()).stream().mapToLong(Integer::longValue).sum());
        }
    }
}
