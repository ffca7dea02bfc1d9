package io.ksbridge.benchmarks.e2e;

import io.ksbridge.TableNamer;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.peers.ConnectWorker;
import io.ksbridge.peers.ConnectorProperties;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Snowflake's Kafka connector 2.5.0 as e2e contenders, in Snowpipe and in Streaming mode, in an embedded Connect
 * worker (plugin.path: the connector never sits on a class path) on the same broker, records and emulator as
 * ksbridge's backends. Each run is a new connector (its own consumer group, from the earliest offset) into a schema
 * of its own, measured from its creation to every row in the table. The worker starts once, before the first run,
 * outside the measurement.
 *
 * <p>Settings: the connector's documented defaults for what drives throughput, which its documentation recommends
 * keeping unless latency matters: {@code buffer.count.records=10000}, {@code buffer.size.bytes} 5 MB (Snowpipe) and
 * 20 MB (Streaming); {@code tasks.max} = the partitions (one task per partition, as its documentation sizes tasks);
 * {@code buffer.flush.time} at its minimum, 10 s (Snowpipe) and 1 s (Streaming), and
 * {@code snowflake.streaming.max.client.lag=1}, the 1 s ksbridge's Streaming backend runs with here; the
 * connector's own {@code SnowflakeJsonConverter} for Snowpipe, Connect's {@code JsonConverter} without schemas for
 * Streaming, as its documentation prescribes per mode; {@code consumer.override.max.poll.records=2000}, the
 * bridge's poll size here.
 */
public final class ConnectorContenders implements EndToEnd.ContenderSource {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static ConnectWorker worker;

    @Override
    public List<EndToEnd.Contender> contenders() {
        // the stage mode is the run's choice (EndToEnd: cloud-style whenever one of these is selected)
        if (worker == null) {
            long t0 = System.nanoTime();
            worker = ConnectWorker.start(EndToEnd.kafka);
            System.out.printf("Connect worker with the connector's plugin started in %.1f s (not measured)%n",
                    (System.nanoTime() - t0) / 1e9);
        }
        return List.of(connector("connector 2.5.0 Snowpipe (gzip) to loaded", false),
                connector("connector 2.5.0 Streaming to committed", true));
    }

    private static EndToEnd.Contender connector(String label, boolean streaming) {
        return new EndToEnd.Contender() {
            public String name() {
                return label;
            }

            public void run(String group) throws Exception {
                int run = RUNS.incrementAndGet();
                String name = (streaming ? "sfstream" : "sfpipe") + run;
                String schema = "CONN_" + run; // fresh objects and load history per run
                SnowflakeEmulator emulator = Backends.emulator();
                Map<String, String> props = streaming
                        ? ConnectorProperties.streaming(emulator, name, "BENCH", EndToEnd.topic, 10_000)
                        : ConnectorProperties.snowpipe(emulator, name, "BENCH", EndToEnd.topic, 10_000);
                props.put(BridgeConfig.SCHEMA, schema);
                props.put(BridgeConfig.BUFFER_SIZE_BYTES, streaming ? "20000000" : "5000000");
                props.put("tasks.max", Integer.toString(EndToEnd.partitions));
                props.put("consumer.override.max.poll.records", "2000");
                String table = "BENCH." + schema + "." + TableNamer.connectorDefault().tableName(EndToEnd.topic);
                worker.startConnector(props);
                try {
                    while (emulator.tables().find(table).map(t -> t.rowCount()).orElse(0) < EndToEnd.records) {
                        ConnectWorker.failIfFailed(worker, name);
                        Thread.sleep(2);
                    }
                } finally {
                    worker.deleteConnector(name);
                }
            }
        };
    }
}
