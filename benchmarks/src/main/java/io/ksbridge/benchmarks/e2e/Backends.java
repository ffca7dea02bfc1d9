package io.ksbridge.benchmarks.e2e;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.ingest.snowpipe.Compression;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
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
            emulator = SnowflakeEmulator.start();
            emulator.tables().retainRows(false); // count loaded rows; a million JSON trees would not fit the heap
        }
        return emulator;
    }

    static List<EndToEnd.Contender> available() {
        return List.of(snowpipe(Compression.GZIP), snowpipe(Compression.ZSTD));
    }

    /** Real broker → bridge → SnowpipeBackend (real SimpleIngestManager) → emulator stage → loaded into the table. */
    static EndToEnd.Contender snowpipe(Compression compression) {
        return new EndToEnd.Contender() {
            public String name() {
                return "ksbridge + Snowpipe (" + compression.name().toLowerCase() + ") to loaded";
            }

            public void run(String group) throws Exception {
                SnowflakeEmulator snowflake = emulator();
                String schema = "RUN_" + RUNS.incrementAndGet(); // fresh stage, pipes and load history per run
                AtomicLong durable = new AtomicLong();
                Map<String, Object> props = EndToEnd.kafka.consumerProperties(group);
                props.put("max.poll.records", 2000);
                SnowpipeBackend backend = SnowpipeBackend.builder().account(snowflake.account()).database("BENCH")
                        .schema(schema).compression(compression).statusPollInterval(Duration.ofMillis(200)).build();
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
                    System.out.printf("    (durable, i.e. accepted by insertFiles, after %.2f s: %,.0f records/s)%n",
                            durableSeconds, EndToEnd.records / durableSeconds);
                }
            }
        };
    }
}
