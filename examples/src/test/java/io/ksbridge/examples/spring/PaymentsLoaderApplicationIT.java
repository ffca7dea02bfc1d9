package io.ksbridge.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.spring.kafka.KsbridgeListenerAdapter;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Kafka example on the in-process broker and the emulator: the listener container is stopped mid-stream
 * and started again, and every record is in the table exactly once, with the group's committed offsets at the end
 * offsets. A small memory cap makes the adapter pause and resume the container along the way.
 */
@SpringBootTest(classes = PaymentsLoaderApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class PaymentsLoaderApplicationIT {
    static final EmbeddedKafka KAFKA = EmbeddedKafka.start();
    static final SnowflakeEmulator SNOWFLAKE = SnowflakeEmulator.start();
    static final String TABLE = "APP.PUBLIC.PAYMENTS";

    static {
        KAFKA.createTopic("payments", 3);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("ksbridge.enabled", () -> "true");
        r.add("ksbridge.name", () -> "payments");
        r.add("ksbridge.consumer.bootstrap.servers", KAFKA::bootstrapServers);
        r.add("ksbridge.consumer.group.id", () -> "payments-loader");
        r.add("ksbridge.consumer.max.poll.records", () -> "300");
        r.add("ksbridge.max-buffered-bytes", () -> "400KB");
        r.add("ksbridge.flush.records", () -> "250");
        r.add("ksbridge.flush.bytes", () -> "100KB");
        r.add("ksbridge.flush.age", () -> "300ms");
        r.add("ksbridge.commit-interval", () -> "100ms");
        r.add("ksbridge.snowflake.url", SNOWFLAKE::url);
        r.add("ksbridge.snowflake.allow-insecure-http", () -> "true");
        r.add("ksbridge.snowflake.user", () -> SnowflakeEmulator.USER);
        r.add("ksbridge.snowflake.role", () -> SnowflakeEmulator.ROLE);
        r.add("ksbridge.snowflake.private-key", () -> SNOWFLAKE.privateKeyPem().reveal());
        r.add("ksbridge.snowflake.database", () -> "APP");
        r.add("ksbridge.snowflake.schema", () -> "PUBLIC");
        r.add("ksbridge.snowpipe.status-poll-interval", () -> "50ms");
    }

    @AfterAll
    static void stop() {
        SNOWFLAKE.close();
        KAFKA.close();
    }

    @Autowired
    KafkaListenerEndpointRegistry registry;
    @Autowired
    KsbridgeListenerAdapter adapter;
    @Autowired
    KafkaToSnowflakeBridge bridge;

    /** Sends records {@code from} to {@code to} in one batch (not one acknowledged round trip each). */
    private static void produce(int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            records.add(new ProducerRecord<>("payments", i % 3, ("p" + i).getBytes(StandardCharsets.UTF_8),
                    ("{\"id\":" + i + ",\"cents\":" + (i * 7 % 10_000) + "}").getBytes(StandardCharsets.UTF_8)));
        }
        KAFKA.produceAll(records);
    }

    @Test
    void containerStoppedMidStreamAndStarted_everyRecordOnce_committedAtEndOffsets() throws Exception {
        assertFalse(bridge.settings().ownsConsumer(), "a host-loop bridge, driven by the container");
        MessageListenerContainer container = registry.getListenerContainer("payments");
        produce(0, 3_000);
        Await.until(Duration.ofSeconds(60), () -> SNOWFLAKE.tables().find(TABLE).map(t -> t.rowCount() >= 1_000).orElse(false),
                () -> "1,000 rows before the stop");

        container.stop();                           // revocation: flush, wait for loads, commit what is durable
        assertFalse(container.isRunning());
        long rowsAtStop = SNOWFLAKE.table(TABLE).rowCount();
        assertEquals(KAFKA.committedOffsets("payments-loader").values().stream().mapToLong(Long::longValue).sum(),
                rowsAtStop, "what is committed at the stop is exactly what is in the table");

        produce(3_000, 6_000);
        container.start();
        List<Row> rows = Await.rows(SNOWFLAKE, TABLE, 6_000, Duration.ofSeconds(90));
        Await.until(Duration.ofSeconds(30), () -> KAFKA.endOffsets("payments").equals(KAFKA.committedOffsets("payments-loader")),
                () -> "committed " + KAFKA.committedOffsets("payments-loader") + " = end " + KAFKA.endOffsets("payments"));

        rows = SNOWFLAKE.table(TABLE).rows();
        Set<Integer> ids = new HashSet<>();
        for (Row row : rows) {
            ids.add(row.content().get("id").asInt());
        }
        assertEquals(6_000, rows.size(), "no duplicates");
        assertEquals(6_000, ids.size(), "no losses");
        assertTrue(adapter.emptyPollsAccepted() > 0, "empty polls reached the bridge");
        assertTrue(adapter.containerPauses() > 0, "the memory cap paused the container, not its thread");
        assertTrue(bridge.failure() == null, () -> "bridge failed: " + bridge.failure());
    }
}
