package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.assertRow;
import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import net.snowflake.ingest.utils.ParameterProvider;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 200,000 records through a real broker, the bridge, the SDK's streaming client and the emulator, read back from blobs. */
@KsbridgeTest
class StreamingEndToEndIT {
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    @Test
    void bridge_200kRecordsOn2TopicsX4Partitions_exactlyOnceWithMetadataAndTokensAtLastOffsets() throws Exception {
        List<String> topics = List.of("orders", "pay-ments");
        int perTopic = Integer.getInteger("streaming.e2e.perTopic", 100_000);
        int partitions = 4;
        for (String topic : topics) {
            kafka.createTopic(topic, partitions);
            StreamingIts.produceIds(kafka, topic, partitions, 0, perTopic);
        }
        long total = (long) perTopic * topics.size();

        double sdkRate = sdkInsertRowsRate(topics, perTopic, partitions);

        List<String> tables = new ArrayList<>();
        for (String topic : topics) {
            tables.add("DB.PUBLIC." + TableNamer.connectorDefault().tableName(topic));
        }
        AtomicLong durableRows = new AtomicLong();
        AtomicLong durableAt = new AtomicLong();
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onDurable(BridgeEvents.Durable event) {
                if (durableRows.addAndGet(event.rows()) >= total) {
                    durableAt.compareAndSet(0, System.nanoTime());
                }
            }
        };
        long startedMillis = System.currentTimeMillis();
        long started = System.nanoTime();
        long landed;
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("streaming-e2e"))
                .topics(topics.toArray(new String[0]))
                .flushPolicy(FlushPolicy.records(10_000).or(FlushPolicy.age(Duration.ofMillis(500))))
                .backend(StreamingIts.backend(snowflake, "PUBLIC").build())
                .listener(listener)
                .build()) {
            bridge.start();
            Await.until("all rows in the tables", Duration.ofSeconds(120), () -> {
                if (System.nanoTime() - started > 0 && (System.nanoTime() / 1_000_000) % 5000 < 25) {
                    System.out.println("progress: rows " + tables.stream().mapToInt(t -> rowCount(snowflake, t)).sum()
                            + ", durable " + durableRows.get());
                }
                long n = 0;
                for (String t : tables) {
                    n += rowCount(snowflake, t);
                }
                return n >= total;
            });
            landed = System.nanoTime() - started;
            Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("streaming-e2e").values().stream()
                    .mapToLong(Long::longValue).sum() == total);
        }
        long finishedMillis = System.currentTimeMillis();
        double bridgeRate = total / (landed / 1e9);
        double durableRate = total / ((durableAt.get() - started) / 1e9);
        System.out.printf("STREAMING-E2E: %,d records: in the emulator's tables %.0f records/s (%.1f s), durable (committed"
                + " tokens) %.0f records/s; the SDK's own insertRows on the same rows prepared in advance %.0f records/s;"
                + " ratio bridge/SDK %.2f%n", total, bridgeRate, landed / 1e9, durableRate, sdkRate, bridgeRate / sdkRate);

        for (int i = 0; i < topics.size(); i++) {
            ExactlyOnce.assertEveryRecordOnce(snowflake, tables.get(i), kafka.endOffsets(topics.get(i)));
            for (Row row : snowflake.table(tables.get(i)).rows()) {
                assertRow(row, topics.get(i), partitions, startedMillis, finishedMillis);
            }
            assertEquals(StreamingIts.expectedTokens(kafka, topics.get(i)),
                    StreamingIts.streaming(snowflake).committedOffsetTokens(tables.get(i)));
        }
        Map<TopicPartition, Long> expected = new HashMap<>();
        for (String topic : topics) {
            expected.putAll(kafka.endOffsets(topic));
        }
        assertEquals(expected, kafka.committedOffsets("streaming-e2e"));
    }

    /**
     * The SDK alone: the same rows (content and metadata strings as the bridge renders them), prepared in advance,
     * through one channel per partition with insertRows in 10,000-row calls from two threads (as the backend's two
     * writers), until every token is committed.
     */
    private static double sdkInsertRowsRate(List<String> topics, int perTopic, int partitions) throws Exception {
        snowflake.tables().create("DB.PUBLIC.SDK_BASELINE", List.of(ColumnDef.variant("RECORD_METADATA"),
                ColumnDef.variant("RECORD_CONTENT")), true);
        List<List<Map<String, Object>>> batches = new ArrayList<>();
        List<String> channelOf = new ArrayList<>();
        List<String> tokenOf = new ArrayList<>();
        long push = System.currentTimeMillis();
        for (String topic : topics) {
            for (int p = 0; p < partitions; p++) {
                List<Map<String, Object>> batch = new ArrayList<>();
                long offset = 0;
                for (int id = p; id < perTopic; id += partitions, offset++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("RECORD_CONTENT", StreamingIts.value(topic, id, 40));
                    row.put("RECORD_METADATA", "{\"offset\":" + offset + ",\"topic\":\"" + topic + "\",\"partition\":" + p
                            + ",\"key\":\"k" + id + "\",\"CreateTime\":" + (StreamingIts.TIME0 + id)
                            + ",\"SnowflakeConnectorPushTime\":" + push + "}");
                    batch.add(row);
                    if (batch.size() == 10_000 || id + partitions >= perTopic) {
                        batches.add(batch);
                        channelOf.add(topic + "_" + p);
                        tokenOf.add(Long.toString(offset));
                        batch = new ArrayList<>();
                    }
                }
            }
        }
        SnowflakeStreamingIngestClient client = SnowflakeStreamingIngestClientFactory.builder("SDK_BASELINE")
                .setProperties(StreamingBackend.clientProperties(snowflake.account()))
                .setParameterOverrides(Map.of(ParameterProvider.MAX_CLIENT_LAG, 1000L)).build();
        try {
            Map<String, SnowflakeStreamingIngestChannel> channels = new LinkedHashMap<>();
            Map<String, String> lastToken = new HashMap<>();
            for (int i = 0; i < batches.size(); i++) {
                String name = channelOf.get(i);
                channels.computeIfAbsent(name, n -> client.openChannel(OpenChannelRequest.builder(n).setDBName("DB")
                        .setSchemaName("PUBLIC").setTableName("SDK_BASELINE")
                        .setOnErrorOption(OpenChannelRequest.OnErrorOption.CONTINUE).build()));
                lastToken.put(name, tokenOf.get(i));
            }
            // two threads, each with its channels, as the backend's two writer threads
            List<String> names = new ArrayList<>(channels.keySet());
            long started = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            AtomicLong errors = new AtomicLong();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                Thread worker = new Thread(() -> {
                    for (int i = 0; i < batches.size(); i++) {
                        if (names.indexOf(channelOf.get(i)) % 2 == thread) {
                            InsertValidationResponse r = channels.get(channelOf.get(i)).insertRows(batches.get(i), tokenOf.get(i));
                            errors.addAndGet(r.getErrorRowCount());
                        }
                    }
                });
                worker.start();
                threads.add(worker);
            }
            for (Thread worker : threads) {
                worker.join();
            }
            assertEquals(0, errors.get());
            Await.until("the SDK baseline's tokens", Duration.ofSeconds(60), () -> {
                for (Map.Entry<String, SnowflakeStreamingIngestChannel> e : channels.entrySet()) {
                    if (!lastToken.get(e.getKey()).equals(e.getValue().getLatestCommittedOffsetToken())) {
                        return false;
                    }
                }
                return true;
            });
            long elapsed = System.nanoTime() - started;
            long rows = (long) perTopic * topics.size();
            assertEquals(rows, snowflake.table("DB.PUBLIC.SDK_BASELINE").rowCount());
            snowflake.table("DB.PUBLIC.SDK_BASELINE").truncate(); // keep the heap for the bridge's run
            return rows / (elapsed / 1e9);
        } finally {
            client.close();
        }
    }
}
