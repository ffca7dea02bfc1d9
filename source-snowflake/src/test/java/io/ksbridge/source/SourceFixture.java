package io.ksbridge.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Shared wiring of the source ITs: an account with a warehouse, a bridge builder, read_committed topic reads. */
final class SourceFixture {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private SourceFixture() {
    }

    static SnowflakeAccount account(SnowflakeEmulator snowflake) {
        return SnowflakeAccount.builder().url(snowflake.account().url().toString()).allowInsecureHttp()
                .user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE).warehouse("KSB_WH").privateKey(snowflake.privateKeyPem())
                .build();
    }

    static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + System.nanoTime() % 100_000;
    }

    /** A table {@code DB.PUBLIC.<name>} (ID NUMBER PK, NAME VARCHAR, QTY NUMBER(10,2)). */
    static TrackedTable orders(SnowflakeEmulator snowflake, String name) {
        return snowflake.changes().createTable("DB.PUBLIC." + name, List.of("ID"), new ColumnDef("ID", "NUMBER(38,0)", false),
                new ColumnDef("NAME", "VARCHAR", true), new ColumnDef("QTY", "NUMBER(10,2)", true));
    }

    /** One test's bridge name, source table (rows 1 "a" and 2 "b"), topic and table spec. */
    record Setup(String name, TrackedTable table, String topic, TableSpec spec) {
    }

    static Setup setUp(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String table) {
        TrackedTable t = orders(snowflake, table);
        t.insert(row(1, "a"), row(2, "b"));
        String topic = table.toLowerCase(java.util.Locale.ROOT) + ".topic";
        kafka.createTopic(topic, 1);
        return new Setup(unique(table.toLowerCase(java.util.Locale.ROOT)), t, topic, TableSpec.of("DB.PUBLIC." + table).topic(topic));
    }

    /** A hook that stalls the bridge once at {@code step} of batch 1 until {@code release} (as a long GC pause would). */
    static Hook pauseOnce(Hook.Step step, java.util.concurrent.CountDownLatch paused, java.util.concurrent.CountDownLatch release) {
        return (at, table, seq) -> {
            if (at == step && seq == 1 && paused.getCount() > 0) {
                paused.countDown();
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static Map<String, Object> row(long id, String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ID", id);
        r.put("NAME", name);
        r.put("QTY", "1.50");
        return r;
    }

    static SnowflakeToKafkaBridge.Builder bridge(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String name, TableSpec... tables) {
        SnowflakeToKafkaBridge.Builder b = SnowflakeToKafkaBridge.builder().name(name).account(account(snowflake))
                .producerProperties(Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "0"))
                .pollInterval(Duration.ofMillis(50)).electionTimeout(Duration.ofSeconds(4)).transactionTimeout(Duration.ofSeconds(20));
        for (TableSpec t : tables) {
            b.table(t);
        }
        return b;
    }

    /** Every committed record of a topic (partition 0..n), up to its last stable offset, in offset order per partition. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(EmbeddedKafka kafka, String topic) {
        return kafka.readCommitted(topic, Duration.ofSeconds(20));
    }

    /** The records as compact strings: {@code op key after-or-before} or {@code tombstone key}. */
    static List<String> changes(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                out.add("tombstone " + key);
                continue;
            }
            JsonNode v = json(r.value());
            String op = v.path("op").asText();
            JsonNode image = "d".equals(op) ? v.get("before") : v.get("after");
            out.add(op + " " + key + " " + image.path("NAME").asText() + ("u".equals(op) ? " was " + v.path("before").path("NAME").asText() : ""));
        }
        return out;
    }

    static JsonNode json(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
