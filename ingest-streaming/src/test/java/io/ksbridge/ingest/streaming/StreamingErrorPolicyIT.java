package io.ksbridge.ingest.streaming;

import static io.ksbridge.ingest.streaming.StreamingIts.rowCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.RecordFormatException;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows the SDK rejects follow the bridge's ErrorPolicy and no good row is lost. A custom format hands raw bytes over
 * unchecked ({@code JsonOutput.writeRaw}); every id ending in 7 is not JSON, which the SDK refuses for a VARIANT.
 */
@KsbridgeTest
class StreamingErrorPolicyIT {
    private static final int RECORDS = 2_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    /** Passes the value's bytes through as they are, broken for ids ending in 7. */
    static final RecordFormat RAW = (data, context, out) -> {
        String value = new String(data, StandardCharsets.UTF_8);
        int id = Integer.parseInt(value.substring(6, value.indexOf(',')));
        out.writeRaw((id % 10 == 7 ? "{\"id\":" + id + ", broken" : value).getBytes(StandardCharsets.UTF_8));
    };

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge.Builder bridge(String topic, ErrorPolicy policy) {
        return KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .format(RAW)
                .errorPolicy(policy)
                .flushPolicy(FlushPolicy.records(250).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .backend(StreamingIts.backend(snowflake, "ERRORS").build());
    }

    private static String table(String topic) {
        return "DB.ERRORS." + TableNamer.connectorDefault().tableName(topic);
    }

    private static void runToEnd(KafkaToSnowflakeBridge bridge, String topic, int expectedRows) throws Exception {
        bridge.start();
        Await.until("good rows", Duration.ofSeconds(40), () -> rowCount(snowflake, table(topic)) >= expectedRows);
        Await.until("offsets committed", Duration.ofSeconds(30), () -> kafka.committedOffsets("group-" + topic).values().stream()
                .mapToLong(Long::longValue).sum() == RECORDS);
        bridge.close(); // its SDK flushes whatever it holds
        snowflake.awaitIdle(Duration.ofSeconds(30));
    }

    /** Every record once except every tenth from 7 (ids 7, 17, ...: the rejected ones), which must not be there. */
    private static void assertGoodRowsOnce(String topic) {
        // ids go round-robin over the 2 partitions: id = offset * 2 + partition
        ExactlyOnce.assertEveryRecordOnce(snowflake, table(topic), kafka.endOffsets(topic),
                (tp, offset) -> (offset * 2 + tp.partition()) % 10 != 7);
    }

    @Test
    void rejectedRows_deadLetter_originalsInTheDlqAndEveryGoodRowOnce() throws Exception {
        String topic = "rejects-dlq";
        kafka.createTopic(topic, 2);
        kafka.createTopic("rejects-dlq-dead", 1);
        StreamingIts.produceIds(kafka, topic, 2, 0, RECORDS);
        AtomicInteger deadLettered = new AtomicInteger();
        KafkaToSnowflakeBridge bridge = bridge(topic, ErrorPolicy.deadLetter("rejects-dlq-dead"))
                .listener(new BridgeListener() {
                    @Override
                    public void onDeadLetter(BridgeEvents.DeadLetter event) {
                        deadLettered.incrementAndGet();
                    }
                }).build();
        runToEnd(bridge, topic, RECORDS * 9 / 10);
        assertGoodRowsOnce(topic);
        assertEquals(RECORDS / 10, deadLettered.get());

        Map<String, Object> props = new HashMap<>(kafka.consumerProperties("dlq-reader"));
        props.put("auto.offset.reset", "earliest");
        TreeSet<Integer> dead = new TreeSet<>();
        String reason = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("rejects-dlq-dead"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (dead.size() < RECORDS / 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String value = new String(r.value(), StandardCharsets.UTF_8);
                    dead.add(Integer.parseInt(value.substring(6, value.indexOf(','))));
                    assertTrue(value.contains("\"pad\""), "the original value goes to the DLQ: " + value);
                    for (var h : r.headers()) {
                        if (h.key().contains("reason") || h.key().contains("message")) {
                            reason = new String(h.value(), StandardCharsets.UTF_8);
                        }
                    }
                }
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 7; i < RECORDS; i += 10) {
            expected.add(i);
        }
        assertEquals(expected, new ArrayList<>(dead));
        assertTrue(reason != null && reason.contains("Snowflake rejected the row"), "DLQ reason header: " + reason);
    }

    @Test
    void rejectedRows_skip_everyGoodRowOnceAndTokensAtLastOffsets() throws Exception {
        String topic = "rejects-skip";
        kafka.createTopic(topic, 2);
        StreamingIts.produceIds(kafka, topic, 2, 0, RECORDS);
        AtomicInteger skipped = new AtomicInteger();
        KafkaToSnowflakeBridge bridge = bridge(topic, ErrorPolicy.skip()).listener(new BridgeListener() {
            @Override
            public void onSkip(BridgeEvents.Skip event) {
                skipped.incrementAndGet();
            }
        }).build();
        runToEnd(bridge, topic, RECORDS * 9 / 10);
        assertGoodRowsOnce(topic);
        assertEquals(RECORDS / 10, skipped.get());
        assertEquals(StreamingIts.expectedTokens(kafka, topic),
                StreamingIts.streaming(snowflake).committedOffsetTokens(table(topic)));
    }

    @Test
    void rejectedRow_failFast_bridgeStopsNamingTheRecordTokenStaysBeforeItAndARestartStopsThereAgain() throws Exception {
        String topic = "rejects-fail";
        kafka.createTopic(topic, 1);
        StreamingIts.produceIds(kafka, topic, 1, 0, 100);
        for (int run = 0; run < 2; run++) {
            KafkaToSnowflakeBridge bridge = bridge(topic, ErrorPolicy.failFast()).closeTimeout(Duration.ofSeconds(3)).build();
            bridge.start();
            RecordFormatException e = assertThrows(RecordFormatException.class,
                    () -> bridge.awaitTermination(Duration.ofSeconds(30)));
            assertEquals(7, e.coordinates().offset(), e.getMessage());
            assertTrue(e.getMessage().contains("Snowflake rejected the row"), e.getMessage());
            bridge.close();
            // the rejected row is never passed over: no token at or past it, and no row of its batch
            Map<String, String> tokens = StreamingIts.streaming(snowflake).committedOffsetTokens(table(topic));
            for (String token : tokens.values()) {
                assertTrue(token == null || Long.parseLong(token) < 7, "token " + token + " passed the rejected row: " + tokens);
            }
            assertTrue(snowflake.tables().find(table(topic)).map(t -> t.rows().stream()
                    .noneMatch(r -> r.content().get("id").asInt() >= 7)).orElse(true), "a row at or after the rejected one landed");
        }
    }
}
