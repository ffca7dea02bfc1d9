package io.ksbridge.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * The same records through Snowflake's connector and through ksbridge built with {@code BridgeConfig.from} of the
 * same properties (only {@code name} and the database differ, so both land side by side): the same table names, the
 * same RECORD_CONTENT, the same RECORD_METADATA field by field, except what the migration guide documents, each
 * difference asserted as documented.
 */
class EquivalenceIT extends WorkerPerClass {
    /** A topic that is no identifier ('.' and '-'): the table name carries the connector's hash. */
    private static final String TOPIC_FILES = "eq.orders-files";
    private static final String TOPIC_CHANNELS = "eq.orders-channels";

    @Test
    void snowpipe_sameRecords_sameRowsButDocumentedDifferences(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        List<String> diffs = compare(kafka, snowflake, TOPIC_FILES, (name, db) -> ConnectorProperties.snowpipe(
                snowflake, name, db, TOPIC_FILES, 100));
        // the guide, "What differs": a null value's row has no schema_id
        assertEquals(List.of(TOMBSTONE_SCHEMA_ID), diffs);
    }

    @Test
    void streaming_sameRecords_sameRowsButDocumentedDifferences(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        List<String> diffs = compare(kafka, snowflake, TOPIC_CHANNELS, (name, db) -> ConnectorProperties.streaming(
                snowflake, name, db, TOPIC_CHANNELS, 100));
        // the guide, "What differs": integers past 64 bits stay exact, and a null value's row has no schema_id
        assertEquals(List.of("offset 1 RECORD_CONTENT.big: connector=-6101065172474983726 ksbridge=12345678901234567890",
                TOMBSTONE_SCHEMA_ID), diffs);
    }

    /** The connector writes {@code "schema_id":0} for a record whose value is null; ksbridge writes no schema_id. */
    private static final String TOMBSTONE_SCHEMA_ID = "offset 2 RECORD_METADATA.schema_id: connector=0 ksbridge=null";

    interface Props {
        Map<String, String> of(String name, String database);
    }

    /** Loads {@code topic} both ways and returns every difference, one line each, in offset order. */
    private static List<String> compare(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String topic, Props props)
            throws Exception {
        kafka.createTopic(topic, 1);
        int count = produce(kafka, topic);
        Map<String, String> connector = props.of("eqc", "EQ_C");
        Map<String, String> ksbridge = props.of("eqk", "EQ_K");
        String table = io.ksbridge.TableNamer.connectorDefault().tableName(topic);

        worker.startConnector(connector);
        try {
            Await.rows(snowflake, "EQ_C.PUBLIC." + table, count, Duration.ofSeconds(90));
        } finally {
            worker.deleteConnector("eqc");
        }
        try (KafkaToSnowflakeBridge bridge = Takeover.bridge(ksbridge, kafka, Backends::fromConfig).build()) {
            bridge.start();
            Await.rows(snowflake, "EQ_K.PUBLIC." + table, count, Duration.ofSeconds(60));
        }
        snowflake.awaitIdle(Duration.ofSeconds(30));
        // the same table names in each database (this topic's with its hash suffix, and nothing else)
        assertEquals(tablesOf(snowflake, "EQ_C.PUBLIC."), tablesOf(snowflake, "EQ_K.PUBLIC."));
        assertTrue(tablesOf(snowflake, "EQ_K.PUBLIC.").contains(table), () -> tablesOf(snowflake, "EQ_K.PUBLIC.").toString());

        Map<Long, Row> c = byOffset(snowflake.table("EQ_C.PUBLIC." + table).rows());
        Map<Long, Row> k = byOffset(snowflake.table("EQ_K.PUBLIC." + table).rows());
        assertEquals(c.keySet(), k.keySet());
        List<String> diffs = new ArrayList<>();
        for (long offset : c.keySet()) {
            diff("offset " + offset + " RECORD_CONTENT", c.get(offset).content(), k.get(offset).content(), diffs);
            diff("offset " + offset + " RECORD_METADATA", c.get(offset).metadata(), k.get(offset).metadata(), diffs);
        }
        return diffs;
    }

    private static List<String> tablesOf(SnowflakeEmulator snowflake, String prefix) {
        return snowflake.tables().names().stream().filter(n -> n.startsWith(prefix))
                .map(n -> n.substring(prefix.length())).toList();
    }

    private static Map<Long, Row> byOffset(List<Row> rows) {
        Map<Long, Row> m = new TreeMap<>();
        for (Row r : rows) {
            m.put(r.metadata().get("offset").asLong(), r);
        }
        return m;
    }

    /** Field-by-field differences of two JSON values; "connector=..., ksbridge=..." per leaf that differs. */
    static void diff(String path, JsonNode c, JsonNode k, List<String> out) {
        if (c != null && k != null && c.isObject() && k.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            c.fieldNames().forEachRemaining(names::add);
            k.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                diff(path + "." + n, c.get(n), k.get(n), out);
            }
        } else if (path.endsWith(".SnowflakeConnectorPushTime")) {
            // when each handed the row to the SDK: present in both, a different moment by nature
            if (c == null || k == null || !c.canConvertToLong() || !k.canConvertToLong()) {
                out.add(path + ": connector=" + c + " ksbridge=" + k);
            }
        } else if (c == null || k == null || !c.equals(k)) {
            out.add(path + ": connector=" + c + " ksbridge=" + k);
        }
    }

    /** JSON values with unicode and nesting, keys and no keys, headers of every kind, and tombstones. */
    static int produce(EmbeddedKafka kafka, String topic) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        String[] values = {
            "{\"id\":0,\"city\":\"Zürich\",\"tags\":[\"a\",\"b\"],\"n\":{\"x\":1.5,\"y\":null}}",
            "{\"id\":1,\"city\":\"東京\",\"emoji\":\"🙂\",\"big\":12345678901234567890}",
            null,
            "{\"id\":3,\"escaped\":\"line\\nbreak \\\"quoted\\\"\",\"empty\":{}}",
            "[1,2,3]",
            "{\"id\":5,\"deep\":{\"a\":{\"b\":{\"c\":[true,false,null]}}}}",
        };
        String[] keys = {"k0", null, "k2", "ключ", "{\"id\":4}", "k5"};
        for (int i = 0; i < values.length; i++) {
            RecordHeaders headers = new RecordHeaders();
            if (i % 2 == 0) {
                headers.add(new RecordHeader("text", ("größe " + i).getBytes(StandardCharsets.UTF_8)));
                headers.add(new RecordHeader("number", "42".getBytes(StandardCharsets.UTF_8)));
                headers.add(new RecordHeader("flag", "true".getBytes(StandardCharsets.UTF_8)));
            }
            records.add(new ProducerRecord<>(topic, 0, null, keys[i] == null ? null : keys[i].getBytes(StandardCharsets.UTF_8),
                    values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8), headers));
        }
        kafka.produceAll(records);
        return values.length;
    }
}
