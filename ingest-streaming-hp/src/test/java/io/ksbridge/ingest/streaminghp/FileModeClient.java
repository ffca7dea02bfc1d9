package io.ksbridge.ingest.streaminghp;

import io.ksbridge.Secret;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import io.ksbridge.ingest.IngestRow;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * The client side of {@link HpFileModeIT}, in a JVM of its own started with {@code AWS_ENDPOINT_URL} pointing at the
 * emulator: loads {@code rows} rows of about 1 KiB through the backend in batches of 5,000 (the SDK chooses file
 * mode for them) and prints what it took. Arguments: emulator URL, private key PEM file, rows, table.
 */
public final class FileModeClient {
    private FileModeClient() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String pem = Files.readString(Path.of(args[1]));
        int rows = Integer.parseInt(args[2]);
        String table = args[3];
        SnowflakeAccount account = SnowflakeAccount.builder().url(url).allowInsecureHttp().user("KSBRIDGE")
                .role("KSBRIDGE_ROLE").privateKey(Secret.of(pem)).build();
        Random random = new Random(11);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (HighPerformanceStreamingBackend backend = HighPerformanceStreamingBackend.builder().account(account)
                .database("DB").schema("FILES").commitPollInterval(Duration.ofMillis(100)).build()) {
            TopicPartition tp = new TopicPartition("bulk", 0);
            backend.open(table, tp);
            List<IngestBatch> batches = new ArrayList<>();
            for (int from = 0; from < rows; from += 5_000) {
                List<IngestRow> batch = new ArrayList<>();
                for (int o = from; o < Math.min(rows, from + 5_000); o++) {
                    StringBuilder pad = new StringBuilder(900);
                    for (int k = 0; k < 900; k++) {
                        pad.append((char) ('a' + random.nextInt(26)));
                    }
                    batch.add(new IngestRow(o, ("{\"id\":" + o + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8),
                            ("{\"topic\":\"bulk\",\"partition\":0,\"offset\":" + o + "}").getBytes(StandardCharsets.UTF_8)));
                }
                batches.add(new IngestBatch(table, tp, from, from + batch.size() - 1, batch, 1));
            }
            List<CompletableFuture<IngestResult>> results = new ArrayList<>();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (IngestBatch batch : batches) {
                results.add(backend.ingest(batch).toCompletableFuture());
            }
            for (CompletableFuture<IngestResult> r : results) {
                IngestResult result = r.get(120, TimeUnit.SECONDS);
                if (!(result instanceof IngestResult.Durable)) {
                    System.out.println("FAILED " + result);
                    System.exit(2);
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                    .findFirst().orElse("VmHWM: ?").replaceAll("\\s+", " ");
            System.out.printf("FILEMODE %d rows durable in %.2f s (%.0f rows/s), %.2f CPU-s (%.2f per 100k rows), peak RSS %s,"
                    + " heap used %d MB%n", rows, seconds, rows / seconds, cpu, cpu * 100_000 / rows, rss,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        }
        System.exit(0);
    }
}
