package io.ksbridge.ingest.streaminghp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.RecordFormatException;
import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.streaminghp.HpStreamingService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rows Snowflake would refuse follow the bridge's ErrorPolicy, and no good row is lost. A custom format hands raw bytes
 * over unchecked; every id ending in 7 is not JSON: the backend refuses it before appending (an appended one would
 * break the channel's whole request). Rows the server refuses anyway stop the bridge unless the policy is skip().
 */
@KsbridgeTest
class HpErrorPolicyIT {
    private static final int RECORDS = 2_000;
    static EmbeddedKafka kafka;
    static SnowflakeEmulator snowflake;

    /** Passes the value's bytes through as they are, broken for ids ending in 7. */
    static final RecordFormat RAW = (data, context, out) -> {
        String value = new String(data, StandardCharsets.UTF_8);
        int id = Integer.parseInt(value.substring(6, value.indexOf(',')));
        out.writeRaw((id % 10 == 7 ? "{\"id\":" + id + ", broken" : value).getBytes(StandardCharsets.UTF_8));
    };

    /** Passes the value through; ids ending in 3 become a JSON array (valid JSON, refused by an OBJECT column). */
    static final RecordFormat ARRAYS = (data, context, out) -> {
        String value = new String(data, StandardCharsets.UTF_8);
        int id = Integer.parseInt(value.substring(6, value.indexOf(',')));
        out.writeRaw((id % 10 == 3 ? "[" + id + "]" : value).getBytes(StandardCharsets.UTF_8));
    };

    @BeforeAll
    static void start(EmbeddedKafka sharedKafka, SnowflakeEmulator sharedSnowflake) {
        kafka = sharedKafka;
        snowflake = sharedSnowflake;
    }

    private static KafkaToSnowflakeBridge.Builder bridge(String topic, RecordFormat format, ErrorPolicy policy) {
        return KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("group-" + topic))
                .topics(topic)
                .format(format)
                .errorPolicy(policy)
                .flushPolicy(FlushPolicy.records(250).or(FlushPolicy.age(Duration.ofMillis(100))))
                .commitInterval(Duration.ofMillis(200))
                .closeTimeout(Duration.ofSeconds(5))
                .backend(HpIts.backend(snowflake, "HPERRORS").build());
    }

    private static String table(String topic) {
        return "DB.HPERRORS." + TableNamer.connectorDefault().tableName(topic);
    }

    private static void runToEnd(KafkaToSnowflakeBridge bridge, String topic) throws Exception {
        bridge.start();
        Await.until("offsets committed", Duration.ofSeconds(60), () -> HpIts.committedSum(kafka, "group-" + topic) == RECORDS);
        bridge.close();
        snowflake.awaitIdle(Duration.ofSeconds(30));
    }

    private static void assertGoodRowsOnce(String topic, int badDigit) {
        ExactlyOnce.assertEveryRecordOnce(snowflake, table(topic), kafka.endOffsets(topic),
                (tp, offset) -> (offset * 2 + tp.partition()) % 10 != badDigit);
    }

    @Test
    void badRows_deadLetter_originalsWithTheirCauseInTheDlqAndEveryGoodRowOnce() throws Exception {
        String topic = "hp-bad-dlq";
        kafka.createTopic(topic, 2);
        kafka.createTopic(topic + "-dead", 1);
        HpIts.produceIds(kafka, topic, 2, 0, RECORDS);
        AtomicInteger deadLettered = new AtomicInteger();
        runToEnd(bridge(topic, RAW, ErrorPolicy.deadLetter(topic + "-dead")).listener(new BridgeListener() {
            @Override
            public void onDeadLetter(BridgeEvents.DeadLetter event) {
                deadLettered.incrementAndGet();
            }
        }).build(), topic);
        assertGoodRowsOnce(topic, 7);
        assertEquals(RECORDS / 10, deadLettered.get());
        List<Integer> dead = new ArrayList<>();
        String reason = null;
        for (ConsumerRecord<byte[], byte[]> r : kafka.consume(topic + "-dead", RECORDS / 10, Duration.ofSeconds(30))) {
            String value = new String(r.value(), StandardCharsets.UTF_8);
            assertTrue(value.contains("\"pad\""), "the original value goes to the DLQ: " + value);
            dead.add(Integer.parseInt(value.substring(6, value.indexOf(','))));
            Header h = r.headers().lastHeader("ksbridge.error.message");
            reason = h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
        dead.sort(null);
        List<Integer> expected = new ArrayList<>();
        for (int i = 7; i < RECORDS; i += 10) {
            expected.add(i);
        }
        assertEquals(expected, dead);
        assertTrue(reason != null && reason.contains("Snowflake would refuse the row: RECORD_CONTENT is not valid JSON"),
                "DLQ reason header: " + reason);
        assertEquals(HpIts.expectedTokens(kafka, topic), HpStreamingService.of(snowflake).committedOffsetTokens(table(topic)));
    }

    @Test
    void badRows_skip_everyGoodRowOnceAndTokensAtLastOffsets() throws Exception {
        String topic = "hp-bad-skip";
        kafka.createTopic(topic, 2);
        HpIts.produceIds(kafka, topic, 2, 0, RECORDS);
        AtomicInteger skipped = new AtomicInteger();
        runToEnd(bridge(topic, RAW, ErrorPolicy.skip()).listener(new BridgeListener() {
            @Override
            public void onSkip(BridgeEvents.Skip event) {
                skipped.incrementAndGet();
            }
        }).build(), topic);
        assertGoodRowsOnce(topic, 7);
        assertEquals(RECORDS / 10, skipped.get());
        assertEquals(HpIts.expectedTokens(kafka, topic), HpStreamingService.of(snowflake).committedOffsetTokens(table(topic)));
    }

    @Test
    void badRow_failFast_bridgeStopsNamingTheRecordAndNothingOfItsBatchLands() throws Exception {
        String topic = "hp-bad-fail";
        kafka.createTopic(topic, 1);
        HpIts.produceIds(kafka, topic, 1, 0, 100);
        KafkaToSnowflakeBridge bridge = bridge(topic, RAW, ErrorPolicy.failFast()).build();
        bridge.start();
        RecordFormatException e = assertThrows(RecordFormatException.class, () -> bridge.awaitTermination(Duration.ofSeconds(60)));
        assertEquals(7, e.coordinates().offset(), e.getMessage());
        assertTrue(e.getMessage().contains("Snowflake would refuse the row"), e.getMessage());
        bridge.close();
        snowflake.awaitIdle(Duration.ofSeconds(10));
        Map<String, String> tokens = HpStreamingService.of(snowflake).committedOffsetTokens(table(topic));
        for (String token : tokens.values()) {
            assertTrue(token == null || Long.parseLong(token) < 7, "token " + token + " passed the bad row: " + tokens);
        }
        assertTrue(snowflake.tables().find(table(topic)).map(t -> t.rows().stream()
                .noneMatch(r -> r.content().get("id").asInt() >= 7)).orElse(true), "a row at or after the bad one landed");
    }

    @Test
    void serverRefusedRows_failFast_bridgeStopsNamingTheChannelAndOffsets() throws Exception {
        String topic = "hp-server-fail";
        kafka.createTopic(topic, 1);
        snowflake.tables().create(table(topic), List.of(ColumnDef.variant("RECORD_METADATA"),
                new ColumnDef("RECORD_CONTENT", "OBJECT", true)), false);
        HpIts.produceIds(kafka, topic, 1, 0, 100);
        KafkaToSnowflakeBridge bridge = bridge(topic, ARRAYS, ErrorPolicy.deadLetter(topic + "-dead")).build();
        bridge.start();
        IngestException e = assertThrows(IngestException.class, () -> bridge.awaitTermination(Duration.ofSeconds(60)));
        assertTrue(e.getMessage().contains("Snowflake refused") && e.getMessage().contains("channel " + topic + "_0")
                && e.getMessage().contains("offsets up to"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot hold"), "Snowflake's own message: " + e.getMessage());
        bridge.close();
    }

    @Test
    void serverRefusedRows_skip_goodRowsLandAndTheBridgeGoesOn() throws Exception {
        String topic = "hp-server-skip";
        kafka.createTopic(topic, 2);
        snowflake.tables().create(table(topic), List.of(ColumnDef.variant("RECORD_METADATA"),
                new ColumnDef("RECORD_CONTENT", "OBJECT", true)), false);
        HpIts.produceIds(kafka, topic, 2, 0, RECORDS);
        long errorsBefore = HpStreamingService.of(snowflake).rowErrors();
        runToEnd(bridge(topic, ARRAYS, ErrorPolicy.skip()).build(), topic);
        assertGoodRowsOnce(topic, 3);
        assertEquals(RECORDS / 10, HpStreamingService.of(snowflake).rowErrors() - errorsBefore);
    }
}
