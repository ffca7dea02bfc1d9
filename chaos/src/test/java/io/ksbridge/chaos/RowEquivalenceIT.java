package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.TableNamer;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * One row per record on every backend: the same hostile and odd records go through each backend (one topic, a bridge
 * per backend with its own consumer group and schema), and each record lands with the same {@code RECORD_CONTENT} and
 * {@code RECORD_METADATA} (as JSON values, without the fields that are backend-specific by design) or goes to the
 * dead-letter topic on all of them. {@link OddRecordsIT} covers odd input through the engine alone.
 */
@KsbridgeTest
class RowEquivalenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A backend under test and how to build it against the emulator in a schema. */
    record Backend(String name, BiFunction<SnowflakeEmulator, String, IngestBackend> build) {
    }

    /** Every backend: a new one is one more line. */
    static final List<Backend> BACKENDS = List.of(
            new Backend("snowpipe", (snowflake, schema) -> SnowpipeBackend.builder().account(snowflake.account())
                    .database("DB").schema(schema).statusPollInterval(Duration.ofMillis(100)).build()),
            new Backend("streaming", (snowflake, schema) -> StreamingBackend.builder().account(snowflake.account())
                    .database("DB").schema(schema).commitPollInterval(Duration.ofMillis(100))
                    .closeTimeout(Duration.ofSeconds(5)).build()));

    /** Fields of RECORD_METADATA that differ between backends by design. */
    private static final List<String> BACKEND_SPECIFIC = List.of("SnowflakeConnectorPushTime");

    /** A record and what must become of it: its content as loaded (as JSON text), or null for the dead-letter topic. */
    record Odd(String name, String key, String value, String loaded) {
        static Odd loads(String name, String value) {
            return new Odd(name, "k-" + name, value, value);
        }

        static Odd loadsAs(String name, String value, String loaded) {
            return new Odd(name, "k-" + name, value, loaded);
        }

        static Odd deadLetter(String name, String value) {
            return new Odd(name, "k-" + name, value, null);
        }
    }

    /** {@code {"id":name,"d":[[...]]}} nesting {@code levels} levels in all (the object is the first). */
    private static String nested(String name, int levels) {
        return "{\"id\":\"" + name + "\",\"d\":" + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}";
    }

    static final List<Odd> RECORDS = List.of(
            Odd.loads("plain", "{\"id\":\"plain\",\"n\":1}"),
            Odd.loadsAs("dupTop", "{\"id\":\"dupTop\",\"a\":1,\"a\":2}", "{\"id\":\"dupTop\",\"a\":2}"),
            Odd.loadsAs("dupNested", "{\"id\":\"dupNested\",\"o\":{\"b\":1,\"b\":{\"c\":1,\"c\":3}},\"arr\":[{\"x\":1,\"x\":\"y\"}]}",
                    "{\"id\":\"dupNested\",\"o\":{\"b\":{\"c\":3}},\"arr\":[{\"x\":\"y\"}]}"),
            Odd.loadsAs("dupNull", "{\"id\":\"dupNull\",\"v\":{\"deep\":1},\"v\":null}", "{\"id\":\"dupNull\",\"v\":null}"),
            Odd.deadLetter("loneHigh", "{\"id\":\"loneHigh\",\"s\":\"a\\ud800b\"}"),
            Odd.deadLetter("loneLow", "{\"id\":\"loneLow\",\"s\":\"\\udc00\"}"),
            Odd.deadLetter("highThenNotLow", "{\"id\":\"highThenNotLow\",\"s\":\"\\ud800\\u0041\"}"),
            Odd.deadLetter("loneInKey", "{\"id\":\"loneInKey\",\"\\udbff\":1}"),
            Odd.loads("pairEscape", "{\"id\":\"pairEscape\",\"s\":\"\\ud83d\\ude00\"}"),
            Odd.loads("maxDepth", nested("maxDepth", 999)),
            Odd.deadLetter("maxDepthPlus1", nested("maxDepthPlus1", 1000)),
            Odd.loads("emptyObject", "{}"),
            Odd.loads("hugeNumbers", "{\"id\":\"hugeNumbers\",\"big\":123456789012345678901234567890123456789012345678901234567890,"
                    + "\"neg\":-98765432109876543210987654321098765432109876543210,\"e\":1e400,\"tiny\":-1e-400,"
                    + "\"dec\":0.1000000000000000000000000000000000000001,\"max\":" + "9".repeat(1000) + "}"),
            Odd.deadLetter("tooManyDigits", "{\"id\":\"tooManyDigits\",\"n\":" + "9".repeat(1001) + "}"),
            Odd.loads("unicodeKeys", "{\"id\":\"unicodeKeys\",\"\u043a\u043b\u044e\u0447\":\"\u0437\u043d\u0430\u0447\","
                    + "\"\u65e5\u672c\":\"\\u65e5\",\"\uD83D\uDE80\":1,\"\u00e9\":\"\u00e9\"}"),
            Odd.loads("nullValue", "{\"id\":\"nullValue\",\"v\":null,\"arr\":[null]}"),
            Odd.loads("oddKeys", "{\"id\":\"oddKeys\",\"a.b\":1,\"q\\\"uote\":2,\"sp ace\":3,\"\":4,\"back\\\\slash\":5,"
                    + "\"$1:RECORD_CONTENT\":6,\"nul\\u0000\":7}"),
            Odd.loads("escapes", "{\"id\":\"escapes\",\"s\":\"tab\\t nl\\n nul\\u0000 quote\\\" slash\\/ \\u2028\"}"),
            Odd.loads("topLevelArray", "[1,{\"a\":[]},\"x\"]"),
            Odd.loads("topLevelString", "\"just a string\""),
            Odd.loads("lineBreaks", "{\n\"id\" :\r\n \"lineBreaks\"\n}"),
            Odd.deadLetter("notJson", "{\"id\":\"notJson\","),
            Odd.loads("last", "{\"id\":\"last\"}"));

    /** What one backend made of the records: rows by offset and dead-lettered offsets. */
    record Outcome(Map<Long, JsonNode> content, Map<Long, JsonNode> metadata, TreeSet<Long> deadLettered) {
    }

    @Test
    void oddRecords_deadLetter_sameRowOrSameRoutingOnEveryBackend(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        String topic = "rows-equivalence";
        kafka.createTopic(topic, 1);
        List<ProducerRecord<byte[], byte[]>> produced = new ArrayList<>();
        for (Odd odd : RECORDS) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("case", odd.name().getBytes(StandardCharsets.UTF_8));
            headers.add("h\u00e9\"x", "{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8));
            produced.add(new ProducerRecord<>(topic, 0, null, odd.key().getBytes(StandardCharsets.UTF_8),
                    odd.value().getBytes(StandardCharsets.UTF_8), headers));
        }
        kafka.produceAll(produced);
        int loads = (int) RECORDS.stream().filter(o -> o.loaded() != null).count();

        Map<String, Outcome> outcomes = new TreeMap<>();
        for (Backend backend : BACKENDS) {
            outcomes.put(backend.name(), run(kafka, snowflake, backend, topic, ErrorPolicy.deadLetter(dlq(topic, backend)),
                    loads));
        }

        for (Map.Entry<String, Outcome> e : outcomes.entrySet()) {
            Outcome outcome = e.getValue();
            for (int offset = 0; offset < RECORDS.size(); offset++) {
                Odd odd = RECORDS.get(offset);
                String where = e.getKey() + ", record " + odd.name() + " (offset " + offset + ")";
                if (odd.loaded() == null) {
                    assertTrue(outcome.deadLettered().contains((long) offset), where + " goes to the dead-letter topic");
                    assertNull(outcome.content().get((long) offset), where + " has no row");
                } else {
                    assertEquals(JSON.readTree(odd.loaded()), outcome.content().get((long) offset), where);
                    assertTrue(!outcome.deadLettered().contains((long) offset), where + " is not dead-lettered");
                    JsonNode meta = outcome.metadata().get((long) offset);
                    assertEquals("k-" + odd.name(), meta.path("key").asText(), where);
                    assertEquals(odd.name(), meta.path("headers").path("case").asText(), where);
                }
            }
            assertEquals(RECORDS.size() - loads, outcome.deadLettered().size(), e.getKey() + ": " + outcome.deadLettered());
        }
        Outcome first = outcomes.values().iterator().next();
        for (Map.Entry<String, Outcome> e : outcomes.entrySet()) {
            assertEquals(first.content(), e.getValue().content(), e.getKey() + ": RECORD_CONTENT");
            assertEquals(first.metadata(), e.getValue().metadata(), e.getKey() + ": RECORD_METADATA");
            assertEquals(first.deadLettered(), e.getValue().deadLettered(), e.getKey() + ": dead-lettered offsets");
        }
    }

    @Test
    void repeatedKeys_failFast_loadedWithTheLastValueAndTheBridgeRunsOnEveryBackend(EmbeddedKafka kafka,
                                                                                   SnowflakeEmulator snowflake) throws Exception {
        String topic = "rows-repeated-keys";
        kafka.createTopic(topic, 1);
        List<Odd> records = RECORDS.stream().filter(o -> o.name().startsWith("dup") || o.name().equals("plain")).toList();
        for (Odd odd : records) {
            kafka.produce(topic, 0, odd.key(), odd.value());
        }
        for (Backend backend : BACKENDS) {
            Outcome outcome = run(kafka, snowflake, backend, topic, ErrorPolicy.failFast(), records.size());
            for (int offset = 0; offset < records.size(); offset++) {
                assertEquals(JSON.readTree(records.get(offset).loaded()), outcome.content().get((long) offset),
                        backend.name() + ", " + records.get(offset).name());
            }
        }
    }

    private static String dlq(String topic, Backend backend) {
        return topic + "-dlq-" + backend.name();
    }

    /** Runs a bridge of {@code backend} over the topic until every record is handled, and reads what it made. */
    private static Outcome run(EmbeddedKafka kafka, SnowflakeEmulator snowflake, Backend backend, String topic,
                               ErrorPolicy policy, int expectedRows) throws Exception {
        String schema = (topic + "_" + backend.name()).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        String group = "group-" + topic + "-" + backend.name();
        String dlq = dlq(topic, backend);
        if (policy.action() != ErrorPolicy.Action.FAIL) {
            kafka.createTopic(dlq, 1);
        }
        String table = "DB." + schema + "." + TableNamer.connectorDefault().tableName(topic);
        long records = kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .name("rows-" + backend.name())
                .consumerProperties(kafka.consumerProperties(group))
                .topics(topic)
                .errorPolicy(policy)
                .flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofMillis(200))))
                .commitInterval(Duration.ofMillis(100))
                .backend(backend.build().apply(snowflake, schema))
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(60), () -> bridge.failure() != null
                            || kafka.committedOffsets(group).values().stream().mapToLong(Long::longValue).sum() == records,
                    () -> backend.name() + ": all " + records + " records committed, committed "
                            + kafka.committedOffsets(group));
            assertNull(bridge.failure(), backend.name() + " stopped");
            Await.rows(snowflake, table, expectedRows, Duration.ofSeconds(30));
        }
        Map<Long, JsonNode> content = new TreeMap<>();
        Map<Long, JsonNode> metadata = new TreeMap<>();
        List<Row> rows = snowflake.table(table).rows();
        assertEquals(expectedRows, rows.size(), backend.name() + ": one row per loaded record: " + rows);
        for (Row row : rows) {
            ObjectNode meta = row.metadata().deepCopy();
            meta.remove(BACKEND_SPECIFIC);
            long offset = meta.get("offset").asLong();
            assertNull(content.put(offset, row.content()), backend.name() + ": two rows for offset " + offset);
            metadata.put(offset, meta);
        }
        TreeSet<Long> dead = new TreeSet<>();
        if (policy.action() != ErrorPolicy.Action.FAIL) {
            int expectedDead = (int) records - expectedRows;
            for (ConsumerRecord<byte[], byte[]> r : kafka.consume(dlq, expectedDead, Duration.ofSeconds(30))) {
                dead.add(Long.parseLong(new String(r.headers().lastHeader("ksbridge.error.offset").value(),
                        StandardCharsets.UTF_8)));
            }
        }
        return new Outcome(content, metadata, dead);
    }
}
