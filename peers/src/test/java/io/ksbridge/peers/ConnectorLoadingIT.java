package io.ksbridge.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.ExactlyOnce;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.emulator.SnowflakeLoad;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

/** Snowflake's Kafka connector 2.5.0, loaded through plugin.path, loads every record in both of its modes. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectorLoadingIT extends WorkerPerClass {

    @Test
    @Order(1)
    void snowpipeMode_backToBackJsonFiles_everyRowLoaded(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        kafka.createTopic("files_topic", 2);
        produce(kafka, "files_topic", 2, 130);
        Map<String, String> config = ConnectorProperties.snowpipe(snowflake, "files", "DB", "files_topic", 40);
        worker.startConnector(config);
        try {
            Await.rows(snowflake, "DB.PUBLIC.FILES_TOPIC", 130, Duration.ofSeconds(90));
            snowflake.awaitIdle(Duration.ofSeconds(30));
        } finally {
            worker.deleteConnector("files");
        }
        ExactlyOnce.assertEveryRecordOnce(snowflake, "DB.PUBLIC.FILES_TOPIC", kafka.endOffsets("files_topic"));
        assertContentMatchesKey(snowflake, "DB.PUBLIC.FILES_TOPIC");
        // the connector's files hold objects back to back without separators; each file loads all of its rows
        List<SnowflakeLoad> loads = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            loads.addAll(snowflake.loadHistory("DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_FILES_PIPE_FILES_TOPIC_" + p));
        }
        assertEquals(130, loads.stream().mapToLong(SnowflakeLoad::rowsInserted).sum(), loads::toString);
        assertTrue(loads.stream().anyMatch(l -> l.rowsInserted() == 40), loads::toString);
        assertTrue(loads.stream().allMatch(l -> l.path().endsWith(".json.gz") && l.status().equals("LOADED")),
                loads::toString);
    }

    @Test
    @Order(2)
    void streamingMode_everyRowLoaded(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        kafka.createTopic("channels_topic", 2);
        produce(kafka, "channels_topic", 2, 150);
        Map<String, String> config = ConnectorProperties.streaming(snowflake, "channels", "DB", "channels_topic", 40);
        worker.startConnector(config);
        try {
            Await.rows(snowflake, "DB.PUBLIC.CHANNELS_TOPIC", 150, Duration.ofSeconds(60));
            snowflake.awaitIdle(Duration.ofSeconds(30));
        } finally {
            worker.deleteConnector("channels");
        }
        ExactlyOnce.assertEveryRecordOnce(snowflake, "DB.PUBLIC.CHANNELS_TOPIC", kafka.endOffsets("channels_topic"));
        assertContentMatchesKey(snowflake, "DB.PUBLIC.CHANNELS_TOPIC");
    }

    /**
     * Runs after both loads (method order): what the connector and its clients asked for off loopback, all of it
     * sent to the guard's closed port. The version check at every start, and, in Snowpipe mode, the GCS client inside
     * the connector's JDBC driver 3.18 looking up a project id on the cloud metadata server for the (emulated) GCS
     * stage: nothing else.
     */
    @Test
    @Order(3)
    void offLoopbackRequests_refusedAtOnce(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        kafka.createTopic("guarded_topic", 1);
        worker.startConnector(ConnectorProperties.streaming(snowflake, "guarded", "DB", "guarded_topic", 10));
        worker.deleteConnector("guarded");
        List<URI> refused = LoopbackGuard.install().refused();
        Set<String> hosts = refused.stream().map(URI::getHost).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("repo1.maven.org", "metadata.google.internal"), hosts, refused::toString);
        assertTrue(refused.stream().filter(u -> u.getHost().equals("repo1.maven.org")).count() >= 3,
                "one version check per connector start (files, channels, guarded): " + refused);
        long t0 = System.nanoTime();
        assertThrows(IOException.class, () -> new URL("https://repo1.maven.org/maven2/com/snowflake/").openStream());
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 1_000, "the version check's request took " + millis + " ms to fail");
    }

    /** Each row's content is the value produced with its key: {@code "n":i} under key {@code "k"+i}. */
    static void assertContentMatchesKey(SnowflakeEmulator snowflake, String table) {
        for (Row row : snowflake.table(table).rows()) {
            assertEquals("k" + row.content().get("n").asInt(), row.metadata().get("key").asText(), row::toString);
            assertEquals("order " + row.content().get("n").asInt(), row.content().get("name").asText(), row::toString);
        }
    }

    static void produce(EmbeddedKafka kafka, String topic, int partitions, int count) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, i % partitions, ("k" + i).getBytes(),
                    ("{\"n\":" + i + ",\"name\":\"order " + i + "\"}").getBytes()));
        }
        kafka.produceAll(records);
    }
}
