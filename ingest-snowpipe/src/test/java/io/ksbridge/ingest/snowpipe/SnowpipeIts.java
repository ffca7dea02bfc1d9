package io.ksbridge.ingest.snowpipe;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Shared helpers for the Snowpipe integration tests. */
final class SnowpipeIts {
    private SnowpipeIts() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Produces ids [from, to) as {"id":n,...} round-robin over the partitions, keyed "k<n>", timestamp 1.7e12 + n. */
    static void produceIds(EmbeddedKafka kafka, String topic, int partitions, int from, int to) {
        // our own producer: the shared idempotent one hit OutOfOrderSequenceException on a freshly created topic
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of("enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "1"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, 1_700_000_000_000L + i, utf8("k" + i),
                        utf8("{\"id\":" + i + ",\"topic\":\"" + topic + "\",\"pad\":\"" + "x".repeat(40) + "\"}"))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e, e);
        }
    }

    static int rowCount(SnowflakeEmulator emulator, String table) {
        return emulator.tables().find(table).map(t -> t.rowCount()).orElse(0);
    }

    /** Files left on every named stage of the emulator (table stages excluded). */
    static int stagedFiles(SnowflakeEmulator emulator, String database, String schema) {
        int n = 0;
        for (String table : emulator.tables().names()) {
            String t = table.substring(table.lastIndexOf('.') + 1);
            String stage = database + "." + schema + "." + SnowpipeBackend.stageName("KSBRIDGE", t);
            if (emulator.stages().exists(stage)) {
                n += emulator.stageFiles(stage).size();
            }
        }
        return n;
    }

    static void assertMetadata(Row row, String topic, int partitions) {
        JsonNode content = row.content();
        JsonNode meta = row.metadata();
        int id = content.get("id").asInt();
        if (!topic.equals(meta.get("topic").asText()) || meta.get("partition").asInt() != id % partitions
                || meta.get("CreateTime").asLong() != 1_700_000_000_000L + id || !("k" + id).equals(meta.get("key").asText())
                || !meta.has("offset")) {
            throw new AssertionError("wrong metadata for id " + id + " of " + topic + ": " + meta);
        }
    }
}
