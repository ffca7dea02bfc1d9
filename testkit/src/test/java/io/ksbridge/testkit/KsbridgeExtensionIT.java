package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@KsbridgeTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KsbridgeExtensionIT {
    static EmbeddedKafka fromBeforeAll;

    @BeforeAll
    static void createTopics(EmbeddedKafka kafka) {
        fromBeforeAll = kafka;
        kafka.createTopic("ext-orders", 2);
    }

    @Test
    @Order(1)
    void kafkaParameter_isTheClassWideBrokerAndWorks(EmbeddedKafka kafka) throws Exception {
        assertSame(fromBeforeAll, kafka);
        kafka.produce("ext-orders", 0, "a", "{\"n\":1}");
        kafka.produce("ext-orders", 1, "b", "{\"n\":2}");
        RecordingBackend backend = new RecordingBackend();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("ext-group"))
                .topics("ext-orders")
                .flushPolicy(FlushPolicy.age(Duration.ofMillis(50)))
                .backend(backend)
                .build()) {
            bridge.start();
            Await.until(Duration.ofSeconds(30), () -> backend.rowCount() == 2, () -> "2 rows, have " + backend.rowCount());
        }
        assertEquals(Map.of(new TopicPartition("ext-orders", 0), 1L, new TopicPartition("ext-orders", 1), 1L),
                kafka.committedOffsets("ext-group"));
    }

    @Test
    @Order(2)
    void emulatorParameter_awaitRowsSeesRowsAndTimesOutWithACount(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        assertSame(fromBeforeAll, kafka);
        assertTrue(snowflake.url().startsWith("http://127.0.0.1:"), snowflake.url());
        AssertionError e = assertThrows(AssertionError.class,
                () -> Await.rows(snowflake, "DB.PUBLIC.MISSING", 1, Duration.ofMillis(100)));
        assertEquals("timed out after PT0.1S waiting for 1 rows in DB.PUBLIC.MISSING, found 0 (the table does not exist)",
                e.getMessage());
    }
}
