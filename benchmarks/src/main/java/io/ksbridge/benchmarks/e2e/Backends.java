package io.ksbridge.benchmarks.e2e;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.ingest.snowpipe.Compression;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The real backends measured end to end, against the emulator: records are durable, then loaded into tables. */
final class Backends {
    private static SnowflakeEmulator emulator;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private Backends() {
    }

    static synchronized SnowflakeEmulator emulator() {
        if (emulator == null) {
            // a fixed port when the JVM was started with AWS_ENDPOINT_URL at it (the e2e profile): the high-performance
            // SDK's file-mode uploads then come to the emulator
            emulator = SnowflakeEmulator.builder().port(Integer.getInteger("e2e.emulatorPort", 0)).start();
            emulator.tables().retainRows(false); // count loaded rows; a million JSON trees would not fit the heap
            HpStreamingService.of(emulator).serveFileMode(fileModeServed(emulator));
        }
        return emulator;
    }

    static List<EndToEnd.Contender> available() {
        return List.of(snowpipe(Compression.GZIP), snowpipe(Compression.ZSTD), streaming(), streamingHp());
    }

    /** Whether this JVM's AWS_ENDPOINT_URL points at the emulator, so the SDK's file-mode uploads stay on loopback. */
    static boolean fileModeServed(SnowflakeEmulator snowflake) {
        return snowflake.url().equals(System.getenv("AWS_ENDPOINT_URL"));
    }

    /**
     * Real broker → bridge → HighPerformanceStreamingBackend (the high-performance SDK, native core) → rows or files
     * the emulator reads back → rows in the table. File mode (the SDK's fast path) when the JVM's AWS_ENDPOINT_URL
     * points at the emulator (the e2e profile sets it); otherwise REST mode, under 512 KiB a second per channel.
     */
    static EndToEnd.Contender streamingHp() {
        boolean files = fileModeServed(emulator());
        return contender("ksbridge + Streaming HP (" + (files ? "file mode" : "REST mode") + ") to committed",
                "committed offset tokens", (snowflake, schema) -> {
                    HighPerformanceStreamingBackend.Builder b = HighPerformanceStreamingBackend.builder()
                            .account(snowflake.account()).database("BENCH").schema(schema);
                    return (files ? b : b.maxChannelBytesPerSecond(512 << 10).writerThreads(8)).build();
                });
    }

    /** Real broker → bridge → SnowpipeBackend (real SimpleIngestManager) → emulator stage → loaded into the table. */
    static EndToEnd.Contender snowpipe(Compression compression) {
        return contender("ksbridge + Snowpipe (" + compression.name().toLowerCase() + ") to loaded",
                "accepted by insertFiles", (snowflake, schema) -> SnowpipeBackend.builder().account(snowflake.account())
                        .database("BENCH").schema(schema).compression(compression)
                        .statusPollInterval(Duration.ofMillis(200)).build());
    }

    /**
     * Real broker → bridge → StreamingBackend (the SDK's real streaming client, 1 s max client lag) → blobs the
     * emulator reads back → rows in the table.
     */
    static EndToEnd.Contender streaming() {
        return contender("ksbridge + Streaming to committed", "committed offset tokens",
                (snowflake, schema) -> StreamingBackend.builder().account(snowflake.account()).database("BENCH")
                        .schema(schema).build());
    }

    private interface BackendFactory {
        IngestBackend create(SnowflakeEmulator snowflake, String schema);
    }

    private static EndToEnd.Contender contender(String name, String durableMeans, BackendFactory factory) {
        return new EndToEnd.Contender() {
            public String name() {
                return name;
            }

            public void run(String group) throws Exception {
                SnowflakeEmulator snowflake = emulator();
                String schema = "RUN_" + RUNS.incrementAndGet(); // fresh objects and history per run
                AtomicLong durable = new AtomicLong();
                Map<String, Object> props = EndToEnd.kafka.consumerProperties(group);
                props.put("max.poll.records", 2000);
                IngestBackend backend = factory.create(snowflake, schema);
                String table = "BENCH." + schema + "." + TableNamer.connectorDefault().tableName(EndToEnd.topic);
                long t0 = System.nanoTime();
                try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                        .name("bench")
                        .consumerProperties(props)
                        .topics(EndToEnd.topic)
                        .flushPolicy(FlushPolicy.records(20_000).or(FlushPolicy.bytes(16_000_000))
                                .or(FlushPolicy.age(Duration.ofMillis(100))))
                        .maxBufferedBytes(256L << 20)
                        .backend(backend)
                        .listener(new BridgeListener() {
                            @Override
                            public void onDurable(BridgeEvents.Durable event) {
                                durable.addAndGet(event.rows());
                            }
                        })
                        .build()) {
                    bridge.start();
                    while (durable.get() < EndToEnd.records) {
                        if (bridge.failure() != null) {
                            throw new IllegalStateException("bridge failed", bridge.failure());
                        }
                        Thread.sleep(2);
                    }
                    double durableSeconds = (System.nanoTime() - t0) / 1e9;
                    while (snowflake.tables().find(table).map(t -> t.rowCount()).orElse(0) < EndToEnd.records) {
                        Thread.sleep(2);
                    }
                    System.out.printf("    (durable, i.e. %s, after %.2f s: %,.0f records/s)%n", durableMeans,
                            durableSeconds, EndToEnd.records / durableSeconds);
                }
            }
        };
    }
}
