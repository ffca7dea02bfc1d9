package io.ksbridge.source;

import static io.ksbridge.source.SourceFixture.bridge;
import static io.ksbridge.source.SourceFixture.changes;
import static io.ksbridge.source.SourceFixture.orders;
import static io.ksbridge.source.SourceFixture.readCommitted;
import static io.ksbridge.source.SourceFixture.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Scenarios 8-12, 14, 16-24: what the topic holds for each kind of change, snapshot, staleness, schema and types. */
@KsbridgeTest
class ChangeSemanticsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Starts a bridge with no snapshot so its stream exists, then closes it: changes made now form one batch. */
    private static void primeStream(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String name, TableSpec spec) throws Exception {
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).snapshot(Snapshot.never()).build()) {
            b.start();
            Await.until(WAIT, () -> snowflake.changes().streamNames().stream().anyMatch(s -> s.contains(
                    "KSB_" + name.toUpperCase().replaceAll("[^A-Z0-9]", "_") + "_")), () -> "the stream; " + b.failure());
        }
    }

    private static Map<String, String> compacted(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, String> state = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                state.remove(key);
                continue;
            }
            JsonNode v = SourceFixture.json(r.value());
            if ("d".equals(v.path("op").asText())) {
                state.remove(key);
            } else {
                state.put(key, v.path("after").path("NAME").asText());
            }
        }
        return state;
    }

    private static Map<String, String> tableState(TrackedTable t) {
        Map<String, String> state = new TreeMap<>();
        for (Map<String, String> r : t.rows()) {
            state.put("{\"ID\":" + r.get("ID") + "}", r.get("NAME"));
        }
        return state;
    }

    @Test
    void netChangesPerBatch_perKeyOrder_falsePositiveProbe(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        String name = SourceFixture.unique("net");
        TrackedTable t = orders(snowflake, "NET");
        t.insert(row(3, "old3"), row(4, "d4"));
        String topic = "net.topic";
        kafka.createTopic(topic, 1);
        TableSpec spec = TableSpec.of("DB.PUBLIC.NET").topic(topic);
        primeStream(kafka, snowflake, name, spec);
        t.insert(row(1, "gone"));
        t.delete("ID", 1);                      // 8: inserted then deleted: nothing
        t.insert(row(2, "first"));
        t.update("ID", 2, Map.of("NAME", "final")); // 9: inserted then updated: one c, final values
        t.delete("ID", 3);
        t.insert(row(3, "new3"));               // 10: same key, new row: d, tombstone, then c
        t.update("ID", 4, Map.of("ID", 40));    // 11: key change: d + tombstone of 4, then c of 40
        List<SourceListener.CommitEvent> commits = new CopyOnWriteArrayList<>();
        SourceListener listener = new SourceListener() {
            @Override
            public void onCommit(CommitEvent event) {
                commits.add(event);
            }
        };
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).listener(listener).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, topic).size() >= 7, () -> "the batch; " + b.failure());
            List<String> all = changes(readCommitted(kafka, topic));
            assertEquals(List.of("c {\"ID\":2} final", "c {\"ID\":3} new3", "c {\"ID\":40} d4", "d {\"ID\":3} old3", "d {\"ID\":4} d4",
                    "tombstone {\"ID\":3}", "tombstone {\"ID\":4}"), all.stream().sorted().toList());
            assertTrue(all.indexOf("tombstone {\"ID\":3}") < all.indexOf("c {\"ID\":3} new3"), "the re-inserted key ends live: " + all);
            assertEquals(Map.of("{\"ID\":2}", "final", "{\"ID\":3}", "new3", "{\"ID\":40}", "d4"), compacted(readCommitted(kafka, topic)));
            // 14: a change that nets to nothing still makes the probe say TRUE: an empty batch moves the position on
            int before = commits.size();
            t.insert(row(5, "x"));
            t.delete("ID", 5);
            Await.until(WAIT, () -> commits.stream().skip(before).anyMatch(c -> c.batchDone() && c.records() == 0),
                    () -> "an empty batch committed: " + commits);
            Await.until(WAIT, () -> snowflake.changes().streamNames().stream().allMatch(s -> !s.contains("NET")
                    || snowflake.changes().streamOffset(s) == t.version()), () -> "the stream consumed");
            assertEquals(7, readCommitted(kafka, topic).size());
        }
    }

    @Test
    void truncate_isADeletePerRow_appendOnlyIgnoresUpdatesAndDeletes(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        String name = SourceFixture.unique("trunc");
        TrackedTable t = orders(snowflake, "TRUNC");
        t.insert(row(1, "a"), row(2, "b"));
        kafka.createTopic("trunc.topic", 1);
        TableSpec spec = TableSpec.of("DB.PUBLIC.TRUNC").topic("trunc.topic");
        primeStream(kafka, snowflake, name, spec);
        t.truncate();
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).deletes(Deletes.eventOnly()).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "trunc.topic").size() >= 2, () -> "the deletes; " + b.failure());
            assertEquals(List.of("d {\"ID\":1} a", "d {\"ID\":2} b"), changes(readCommitted(kafka, "trunc.topic")).stream().sorted().toList());
        }
        String appendName = SourceFixture.unique("append");
        TrackedTable a = orders(snowflake, "APPEND");
        a.insert(row(1, "a"));
        kafka.createTopic("append.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, appendName, TableSpec.of("DB.PUBLIC.APPEND").topic("append.topic"))
                .source(ChangeSource.stream().appendOnly(true)).snapshot(Snapshot.never()).format(ChangeFormat.rowJson()).build()) {
            b.start();
            Await.until(WAIT, () -> snowflake.changes().streamNames().stream().anyMatch(s -> s.contains(appendName.toUpperCase()
                    .replaceAll("[^A-Z0-9]", "_"))), () -> "the stream");
            a.update("ID", 1, Map.of("NAME", "z"));
            a.delete("ID", 1);
            a.insert(row(2, "b"));
            Await.until(WAIT, () -> readCommitted(kafka, "append.topic").size() >= 1, () -> "the insert; " + b.failure());
            List<ConsumerRecord<byte[], byte[]>> records = readCommitted(kafka, "append.topic");
            assertEquals(1, records.size());
            assertEquals("{\"ID\":2,\"NAME\":\"b\",\"QTY\":\"1.50\",\"__op\":\"c\"}", new String(records.get(0).value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void snapshotWithConcurrentDml_equalsTheFinalTable(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        String name = SourceFixture.unique("snap");
        TrackedTable t = orders(snowflake, "SNAP");
        List<Map<String, Object>> initial = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            initial.add(row(i, "v0"));
        }
        t.insertAll(initial);
        kafka.createTopic("snap.topic", 3);
        AtomicBoolean stop = new AtomicBoolean();
        Thread dml = new Thread(() -> {
            Random random = new Random(7);
            int next = 1_000;
            for (int op = 0; op < 5_000 && !stop.get(); op++) {
                int id = random.nextInt(400);
                switch (random.nextInt(3)) {
                    case 0 -> t.insert(row(next++, "new"));
                    case 1 -> t.update("ID", id, Map.of("NAME", "u" + random.nextInt(1000)));
                    default -> t.delete("ID", id);
                }
                Thread.onSpinWait();
            }
        });
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, TableSpec.of("DB.PUBLIC.SNAP").topic("snap.topic"))
                .maxTransactionRows(100).build()) {
            dml.start();
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "snap.topic").size() > 300, () -> "the snapshot and changes; " + b.failure());
            stop.set(true);
            dml.join();
            Map<String, String> expected = tableState(t);
            Await.until(WAIT, () -> compacted(readCommitted(kafka, "snap.topic")).equals(expected),
                    () -> "the topic to equal the table: " + diff(expected, compacted(readCommitted(kafka, "snap.topic"))));
            List<String> reads = readCommitted(kafka, "snap.topic").stream().filter(r -> r.value() != null
                    && "r".equals(SourceFixture.json(r.value()).path("op").asText())).map(r -> new String(r.key(), StandardCharsets.UTF_8))
                    .toList();
            assertTrue(reads.size() >= 100, "snapshot rows: " + reads.size());
            assertEquals(reads.size(), reads.stream().distinct().count(), "no row twice in the snapshot");
        }
    }

    private static String diff(Map<String, String> expected, Map<String, String> actual) {
        Map<String, String> d = new HashMap<>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                d.put(k, v + " but topic has " + actual.get(k));
            }
        });
        actual.keySet().stream().filter(k -> !expected.containsKey(k)).forEach(k -> d.put(k, "not in the table"));
        return d.size() + " differences, e.g. " + d.entrySet().stream().limit(5).toList();
    }

    @Test
    void staleStream_failFastNamesStreamAndFix_resnapshotRepublishes(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        String name = SourceFixture.unique("stale");
        TrackedTable t = orders(snowflake, "STALE").retention(1, 14);
        t.insert(row(1, "a"));
        kafka.createTopic("stale.topic", 1);
        TableSpec spec = TableSpec.of("DB.PUBLIC.STALE").topic("stale.topic");
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "stale.topic").size() >= 1, () -> "the snapshot; " + b.failure());
        }
        t.insert(row(2, "b"));
        snowflake.changes().clock().advance(Duration.ofDays(15)); // 17: unconsumed past max(retention, extension)
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).build()) {
            b.start();
            Await.until(WAIT, () -> b.failure().isPresent(), () -> "the stale stream to stop the bridge");
            Throwable e = b.failure().get();
            assertInstanceOf(StaleStreamException.class, e);
            assertTrue(e.getMessage().contains("of table DB.PUBLIC.STALE is stale") && e.getMessage().contains("Stale.resnapshot()"),
                    e.getMessage());
        }
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, spec).onStale(Stale.resnapshot()).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "stale.topic").size() >= 3, () -> "the new snapshot; " + b.failure());
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":1} a", "r {\"ID\":2} b"), changes(readCommitted(kafka, "stale.topic"))
                    .stream().sorted().toList());
            // 18: the table recreated (CREATE OR REPLACE) is stale too; a new snapshot follows
            TrackedTable again = snowflake.changes().recreateTable("DB.PUBLIC.STALE");
            again.insert(row(7, "g"));
            Await.until(WAIT, () -> changes(readCommitted(kafka, "stale.topic")).contains("r {\"ID\":7} g"),
                    () -> "the recreated table's snapshot; " + b.failure() + " " + changes(readCommitted(kafka, "stale.topic")));
            again.insert(row(8, "h"));
            Await.until(WAIT, () -> changes(readCommitted(kafka, "stale.topic")).contains("c {\"ID\":8} h"), () -> "its changes");
        }
    }

    @Test
    void changeTrackingOff_andNotOwner_failsNamingTheAlter(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        orders(snowflake, "NOTMINE").owner("SYSADMIN");
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, SourceFixture.unique("owner"), TableSpec.of("DB.PUBLIC.NOTMINE")).build()) {
            b.start();
            Await.until(WAIT, () -> b.failure().isPresent(), () -> "the failure");
            assertEquals("change tracking is off on DB.PUBLIC.NOTMINE and the role KSBRIDGE_ROLE cannot turn it on (only the table's"
                    + " owner, SYSADMIN, can). Ask the owner to run: ALTER TABLE DB.PUBLIC.NOTMINE SET CHANGE_TRACKING = TRUE",
                    b.failure().get().getMessage());
        }
    }

    @Test
    void columnsAddedAndDropped_betweenBatches(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        String name = SourceFixture.unique("schema");
        TrackedTable t = orders(snowflake, "SCHEMA");
        kafka.createTopic("schema.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, name, TableSpec.of("DB.PUBLIC.SCHEMA").topic("schema.topic")).build()) {
            b.start();
            t.insert(row(1, "a"));
            Await.until(WAIT, () -> readCommitted(kafka, "schema.topic").size() >= 1, () -> "batch 1; " + b.failure());
            t.addColumn("COLOR", "VARCHAR");
            t.insert(Map.of("ID", 2, "NAME", "b", "COLOR", "red"));
            Await.until(WAIT, () -> readCommitted(kafka, "schema.topic").size() >= 2, () -> "batch 2; " + b.failure());
            t.dropColumn("QTY");
            t.insert(Map.of("ID", 3, "NAME", "c", "COLOR", "blue"));
            Await.until(WAIT, () -> readCommitted(kafka, "schema.topic").size() >= 3, () -> "batch 3; " + b.failure());
            List<String> afters = readCommitted(kafka, "schema.topic").stream().map(r -> SourceFixture.json(r.value()).get("after")
                    .toString()).toList();
            assertEquals(List.of("{\"ID\":1,\"NAME\":\"a\",\"QTY\":\"1.50\"}", "{\"ID\":2,\"NAME\":\"b\",\"QTY\":null,\"COLOR\":\"red\"}",
                    "{\"ID\":3,\"NAME\":\"c\",\"COLOR\":\"blue\"}"), afters);
        }
    }

    @Test
    void keys_configuredColumnsOverThePrimaryKey_noKeyMeansNoKey(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        TrackedTable t = orders(snowflake, "KEYS");
        t.insert(row(1, "a"));
        TrackedTable nokey = snowflake.changes().createTable("DB.PUBLIC.NOKEY", List.of(), new ColumnDef("V", "VARCHAR", true));
        nokey.insert(Map.of("V", "x"));
        kafka.createTopic("keys.topic", 1);
        kafka.createTopic("nokey.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, SourceFixture.unique("keys"),
                TableSpec.of("DB.PUBLIC.KEYS").topic("keys.topic").keyColumns("NAME", "ID"),
                TableSpec.of("DB.PUBLIC.NOKEY").topic("nokey.topic")).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "keys.topic").size() >= 1 && readCommitted(kafka, "nokey.topic").size() >= 1,
                    () -> "both snapshots; " + b.failure());
            assertEquals("{\"NAME\":\"a\",\"ID\":1}", new String(readCommitted(kafka, "keys.topic").get(0).key(), StandardCharsets.UTF_8));
            assertEquals(null, readCommitted(kafka, "nokey.topic").get(0).key());
        }
    }

    @Test
    void everyType_roundTripsIntoTheRecord(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        TrackedTable t = snowflake.changes().createTable("DB.PUBLIC.TYPED", List.of("N"), new ColumnDef("N", "NUMBER(38,0)", false),
                new ColumnDef("D", "NUMBER(10,2)", true), new ColumnDef("F", "FLOAT", true), new ColumnDef("S", "VARCHAR", true),
                new ColumnDef("B", "BOOLEAN", true), new ColumnDef("DT", "DATE", true), new ColumnDef("TM", "TIME", true),
                new ColumnDef("NTZ", "TIMESTAMP_NTZ", true), new ColumnDef("LTZ", "TIMESTAMP_LTZ", true),
                new ColumnDef("TZ", "TIMESTAMP_TZ", true), new ColumnDef("BIN", "BINARY", true), new ColumnDef("V", "VARIANT", true),
                new ColumnDef("A", "ARRAY", true), new ColumnDef("O", "OBJECT", true), new ColumnDef("NUL", "VARCHAR", true));
        Map<String, Object> r = new HashMap<>();
        r.put("N", new BigInteger("99999999999999999999999999999999999999"));
        r.put("D", new BigDecimal("-12345678.90"));
        r.put("F", Double.NaN);
        r.put("S", "zé \"q\"");
        r.put("B", false);
        r.put("DT", LocalDate.of(1969, 7, 20));
        r.put("TM", LocalTime.of(23, 59, 59, 999_999_999));
        r.put("NTZ", LocalDateTime.of(1960, 1, 1, 0, 0, 0, 1));
        r.put("LTZ", Instant.parse("2026-10-09T12:34:56.123456789Z"));
        r.put("TZ", OffsetDateTime.of(2026, 1, 1, 8, 0, 0, 0, ZoneOffset.ofHoursMinutes(-3, -30)));
        r.put("BIN", new byte[] {0, 1, (byte) 0xFF});
        r.put("V", "{\n  \"k\": [\n    1,\n    undefined\n  ]\n}");
        r.put("A", "[\n  \"x\",\n  undefined\n]");
        r.put("O", "{\n  \"a\": {\n    \"b\": true\n  }\n}");
        r.put("NUL", null);
        t.insert(r);
        kafka.createTopic("typed.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, SourceFixture.unique("typed"), TableSpec.of("DB.PUBLIC.TYPED")
                .topic("typed.topic")).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "typed.topic").size() >= 1, () -> "the snapshot; " + b.failure());
            JsonNode v = SourceFixture.json(readCommitted(kafka, "typed.topic").get(0).value());
            assertEquals("{\"N\":99999999999999999999999999999999999999,\"D\":\"-12345678.90\",\"F\":\"NaN\",\"S\":\"zé \\\"q\\\"\","
                    + "\"B\":false,\"DT\":\"1969-07-20\",\"TM\":\"23:59:59.999999999\",\"NTZ\":\"1960-01-01T00:00:00.000000001\","
                    + "\"LTZ\":\"2026-10-09T12:34:56.123456789Z\",\"TZ\":\"2026-01-01T08:00-03:30\",\"BIN\":\"AAH/\","
                    + "\"V\":{\"k\":[1,null]},\"A\":[\"x\",null],\"O\":{\"a\":{\"b\":true}},\"NUL\":null}", v.get("after").toString());
            assertEquals("{\"N\":99999999999999999999999999999999999999}",
                    new String(readCommitted(kafka, "typed.topic").get(0).key(), StandardCharsets.UTF_8));
            assertEquals("r", v.path("op").asText());
            assertTrue(v.path("source").path("snapshot").asBoolean());
        }
    }

    @Test
    void notTransactional_publishesAtLeastOnce(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        TrackedTable t = orders(snowflake, "PLAIN");
        t.insert(row(1, "a"));
        kafka.createTopic("plain.topic", 1);
        try (SnowflakeToKafkaBridge b = bridge(kafka, snowflake, SourceFixture.unique("plain"), TableSpec.of("DB.PUBLIC.PLAIN")
                .topic("plain.topic")).transactional(false).deletes(Deletes.tombstoneOnly()).build()) {
            b.start();
            Await.until(WAIT, () -> readCommitted(kafka, "plain.topic").size() >= 1, () -> "the snapshot; " + b.failure());
            t.delete("ID", 1);
            Await.until(WAIT, () -> readCommitted(kafka, "plain.topic").size() >= 2, () -> "the delete; " + b.failure());
            assertEquals(List.of("r {\"ID\":1} a", "tombstone {\"ID\":1}"), changes(readCommitted(kafka, "plain.topic")));
        }
    }
}
