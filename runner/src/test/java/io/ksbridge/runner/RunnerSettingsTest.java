package io.ksbridge.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every key of a connector file is honoured, warned about by name, or refused with the reason. */
class RunnerSettingsTest {
    private static final String KEY;

    static {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KEY = Base64.getEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded());
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Map<String, String> minimal() {
        Map<String, String> p = new HashMap<>();
        p.put("name", "orders_loader");
        p.put("topics", "orders,payments");
        p.put("snowflake.url.name", "https://xy12345.snowflakecomputing.com");
        p.put("snowflake.user.name", "loader");
        p.put("snowflake.private.key", KEY);
        p.put("snowflake.database.name", "RAW");
        p.put("snowflake.schema.name", "KAFKA");
        p.put("bootstrap.servers", "kafka:9092");
        return p;
    }

    private static BridgeConfigException refused(Map<String, String> p) {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> RunnerSettings.parse(p));
        assertFalse(e.getMessage().contains(KEY.substring(60, 100)), e.getMessage());
        return e;
    }

    /** The start-up summary the runner would log for {@code p}. */
    private static String summary(Map<String, String> p) {
        return Runner.create(Path.of("connector.properties"), p).summary(Path.of("connector.properties"),
                io.ksbridge.config.BridgeConfig.from(p).account());
    }

    private static List<String> settings(BridgeConfigException e) {
        return e.problems().stream().map(BridgeConfigException.Problem::setting).collect(Collectors.toList());
    }

    @Test
    void minimal_connectorFile_consumerGroupAsConnectNamesIt() {
        RunnerSettings s = RunnerSettings.parse(minimal());
        assertEquals(Map.of("bootstrap.servers", "kafka:9092", "group.id", "connect-orders_loader"), s.consumerProperties);
        assertEquals(List.of(), s.warnings);
        assertEquals(-1, s.httpPort);
        assertEquals(Duration.ofSeconds(30), s.shutdownTimeout);
        assertEquals("text (the default)", s.keyFormatName);
        assertEquals("JSON (the default)", s.valueFormatName);
        assertTrue(s.nameIsIdentifier());
    }

    @Test
    void connectKeysNotHonoured_eachANamedWarning() {
        Map<String, String> p = minimal();
        p.put("connector.class", "com.snowflake.kafka.connector.SnowflakeSinkConnector");
        p.put("tasks.max", "8");
        p.put("jmx", "true");
        p.put("value.converter", "com.snowflake.kafka.connector.records.SnowflakeJsonConverter");
        p.put("value.converter.schemas.enable", "true");
        p.put("key.converter.schemas.enable", "false");
        p.put("errors.retry.timeout", "60000");
        p.put("producer.override.acks", "all");
        assertEquals(List.of(
                "connector.class=com.snowflake.kafka.connector.SnowflakeSinkConnector is not used: the runner takes the"
                        + " connector's place",
                "errors.retry.timeout=60000 is not used: Connect's retry settings do not apply; transient Snowflake"
                        + " errors are retried with ksbridge's own bounded backoff",
                "jmx=true is not used: the runner exposes Prometheus metrics on ksbridge.runner.http.port instead of JMX",
                "producer.override.acks is not used: the dead-letter producer uses the consumer's connection settings",
                "tasks.max=8 is not used: the runner runs one consumer; for more, start more runners with the same name"
                        + " (they share the consumer group and split the partitions)",
                "value.converter.schemas.enable=true is not used: the runner converts values itself"
                        + " (com.snowflake.kafka.connector.records.SnowflakeJsonConverter), without converter options; a"
                        + " {schema, payload} envelope is loaded as it is"),
                RunnerSettings.parse(p).warnings);
        assertEquals("JSON (SnowflakeJsonConverter)", RunnerSettings.parse(p).valueFormatName);
    }

    @Test
    void keysTheRunnerCannotHonour_refusedTogether() {
        Map<String, String> p = minimal();
        p.remove("bootstrap.servers");
        p.remove("name");
        p.put("connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector");
        p.put("transforms", "unwrap");
        p.put("transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState");
        p.put("value.converter", "io.confluent.connect.avro.AvroConverter");
        p.put("ksbridge.runner.http.prot", "9090");
        p.put("batch.size", "500");
        p.put("buffer.count.record", "5");
        BridgeConfigException e = refused(p);
        assertEquals(List.of("transforms.unwrap.type", "buffer.count.record", "batch.size", "connector.class",
                "ksbridge.runner.http.prot", "value.converter", "name", "bootstrap.servers"), settings(e));
        String m = e.getMessage();
        assertTrue(m.contains("Invalid value io.debezium.transforms.ExtractNewRecordState for setting"
                + " transforms.unwrap.type: not a ksbridge transform, and no class of that name that the transform"
                + " providers take (1 on the class path; io.ksbridge:ksbridge-transforms-connect takes Kafka Connect"
                + " Transformation classes) is on the class path: check the name, or add the jar of the"
                + " transformation"), m);
        assertTrue(m.contains("Invalid value [hidden] for setting batch.size: unknown setting: neither a Snowflake"
                + " connector setting the runner maps nor a runner setting, so it would have no effect; remove it (Kafka"
                + " consumer settings go under consumer.override.)"), m);
        assertTrue(m.contains("Invalid value io.confluent.connect.avro.AvroConverter for setting value.converter: not"
                + " supported by the runner, which reads JSON (JsonConverter, SnowflakeJsonConverter) and text"
                + " (StringConverter); for Avro or Protobuf, embed the library with AvroFormat or ProtobufFormat"), m);
        assertTrue(m.contains("Invalid value null for setting bootstrap.servers: required by the runner: the Kafka"
                + " cluster to read (in Kafka Connect this is the worker's setting), for example kafka:9092"), m);
    }

    @Test
    void consumerOverrides_passedOn_secretsHidden() {
        Map<String, String> p = minimal();
        p.put("consumer.override.group.id", "my-group");
        p.put("consumer.override.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"u\" password=\"kafka-secret-pw\";");
        p.put("consumer.override.max.poll.records", "2000");
        RunnerSettings s = RunnerSettings.parse(p);
        assertEquals("my-group", s.consumerProperties.get("group.id"));
        assertEquals("2000", s.consumerProperties.get("max.poll.records"));
        p.put("consumer.override.value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        p.put("consumer.override.ssl.keystore.password", "kafka-secret-pw");
        p.put("some.secret.token", "kafka-secret-pw");
        BridgeConfigException e = refused(p);
        assertEquals(List.of("consumer.override.value.deserializer", "some.secret.token"), settings(e));
        assertFalse(e.getMessage().contains("kafka-secret-pw"), e.getMessage());
        assertEquals("[hidden]", RunnerSettings.shown("consumer.override.sasl.jaas.config", "x"));
        assertEquals("[hidden]", RunnerSettings.shown("consumer.override.ssl.key.password", "x"));
        assertEquals("2000", RunnerSettings.shown("consumer.override.max.poll.records", "2000"));
    }

    @Test
    void runnerKeys_durationsAndPorts() {
        Map<String, String> p = minimal();
        p.put("ksbridge.runner.http.port", "0");
        p.put("ksbridge.runner.http.host", "127.0.0.1");
        p.put("ksbridge.runner.shutdown.timeout", "2m");
        p.put("ksbridge.runner.progress.interval", "500ms");
        RunnerSettings s = RunnerSettings.parse(p);
        assertEquals(0, s.httpPort);
        assertEquals("127.0.0.1", s.httpHost);
        assertEquals(Duration.ofMinutes(2), s.shutdownTimeout);
        assertEquals(Duration.ofMillis(500), s.progressInterval);
        p.put("ksbridge.runner.shutdown.timeout", "soon");
        p.put("ksbridge.runner.http.port", "70000");
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value 70000 for setting ksbridge.runner.http.port: must be between 0 (any free port) and"
                + " 65535\n"
                + "  - Invalid value soon for setting ksbridge.runner.shutdown.timeout: expected a duration: a whole"
                + " number with ms, s, m or h (a bare number is seconds), for example 30s", refused(p).getMessage());
    }

    @Test
    void proxyKeys_refusedNamingTheKeyAndWhy() {
        Map<String, String> p = minimal();
        p.put("jvm.proxy.host", "proxy.internal");
        p.put("jvm.proxy.port", "3128");
        p.put("jvm.proxy.username", "squid");
        p.put("jvm.proxy.password", "proxy-secret-pw");
        BridgeConfigException e = refused(p);
        assertEquals("Invalid value proxy.internal for setting jvm.proxy.host: the SNOWPIPE backend cannot use a"
                + " per-client proxy: the Snowflake ingest SDK takes its proxy only from JVM-wide system properties,"
                + " which ksbridge never sets. Remove the jvm.proxy.* keys, or start the runner with java"
                + " -Dhttp.useProxy=true -Dhttp.proxyHost=... -Dhttp.proxyPort=... -jar ..., knowing they apply"
                + " JVM-wide", e.getMessage());
        assertFalse(e.getMessage().contains("proxy-secret-pw"));
    }

    @Test
    void create_summaryShowsWhatRunsWhere_secretsHidden() {
        Map<String, String> p = minimal();
        p.put("snowflake.topic2table.map", "payments:PAYMENTS_RAW");
        p.put("consumer.override.sasl.jaas.config", "password=\"kafka-secret-pw\";");
        Runner runner = Runner.create(Path.of("connector.properties"), p);
        String summary = runner.summary(Path.of("connector.properties"), io.ksbridge.config.BridgeConfig.from(p).account());
        assertTrue(summary.contains("  topics:   orders, payments\n"), summary);
        assertTrue(summary.contains("  tables:   orders -> RAW.KAFKA.ORDERS, payments -> RAW.KAFKA.PAYMENTS_RAW\n"), summary);
        assertTrue(summary.contains("  backend:  Snowpipe (files on an internal stage, loaded by pipes)\n"), summary);
        assertTrue(summary.contains("  flush:    records(10000).or(bytes(5000000)).or(age(PT2M))"), summary);
        assertTrue(summary.contains("  kafka:    bootstrap.servers=kafka:9092, group.id=connect-orders_loader,"
                + " sasl.jaas.config=[hidden]\n"), summary);
        assertTrue(summary.contains("(private key hidden)"), summary);
        assertFalse(summary.contains("kafka-secret-pw"), summary);
        assertFalse(summary.contains(KEY.substring(60, 100)), summary);
        assertEquals(503, runner.health().status(), "not started yet");
        assertTrue(runner.health().json().startsWith("{\"status\":\"STARTING\""), runner.health().json());
    }

    @Test
    void streamingArchitecture_highPerformance_runsTheHighPerformanceBackendTakingOverClassic() {
        Map<String, String> p = minimal();
        p.put("snowflake.ingestion.method", "SNOWPIPE_STREAMING");
        p.put(RunnerSettings.STREAMING_ARCHITECTURE, "high-performance");
        p.put(RunnerSettings.CLASSIC_OFFSET_MIGRATION, "strict");
        RunnerSettings s = RunnerSettings.parse(p);
        assertTrue(s.highPerformance);
        assertEquals("strict", s.classicOffsetMigration);
        String summary = summary(p);
        assertTrue(summary.contains("  backend:  Snowpipe Streaming, high-performance architecture (named channels on"
                + " each table's default pipe, offset tokens), taking over Classic channels (strict)\n"), summary);
        p.remove(RunnerSettings.STREAMING_ARCHITECTURE);
        p.remove(RunnerSettings.CLASSIC_OFFSET_MIGRATION);
        assertFalse(RunnerSettings.parse(p).highPerformance, "Classic stays the default");
    }

    @Test
    void streamingArchitecture_badValuesAndCombinations_refusedNamingTheKey() {
        Map<String, String> p = minimal();
        p.put(RunnerSettings.STREAMING_ARCHITECTURE, "high-performance"); // without SNOWPIPE_STREAMING
        p.put(RunnerSettings.CLASSIC_OFFSET_MIGRATION, "sometimes");
        BridgeConfigException e = refused(p);
        assertEquals(List.of(RunnerSettings.STREAMING_ARCHITECTURE, RunnerSettings.CLASSIC_OFFSET_MIGRATION),
                settings(e), e.getMessage());
        assertTrue(e.getMessage().contains("applies to Snowpipe Streaming only"), e.getMessage());
        assertTrue(e.getMessage().contains("expected skip, best_effort or strict"), e.getMessage());
        Map<String, String> q = minimal();
        q.put("snowflake.ingestion.method", "SNOWPIPE_STREAMING");
        q.put(RunnerSettings.STREAMING_ARCHITECTURE, "v2");
        q.put(RunnerSettings.CLASSIC_OFFSET_MIGRATION, "strict");
        e = refused(q);
        assertEquals(List.of(RunnerSettings.STREAMING_ARCHITECTURE, RunnerSettings.CLASSIC_OFFSET_MIGRATION),
                settings(e), e.getMessage());
    }

    @Test
    void schematization_withHighPerformance_acceptedAndPassedToTheBackend() {
        Map<String, String> p = minimal();
        p.put("snowflake.ingestion.method", "SNOWPIPE_STREAMING");
        p.put(RunnerSettings.STREAMING_ARCHITECTURE, "high-performance");
        p.put("snowflake.enable.schematization", "true");
        assertTrue(RunnerSettings.parse(p).highPerformance);
        String summary = summary(p);
        assertTrue(summary.contains("  backend:  Snowpipe Streaming, high-performance architecture (named channels on"
                + " each table's default pipe, offset tokens), schematization on\n"), summary);
        p.put("snowflake.enable.schematization", "false");
        String plain = summary(p);
        assertFalse(plain.contains("schematization"), plain);
    }

    @Test
    void jsonColumns_jsonValuesGetTheDeclaredColumns_textValuesRefused() throws Exception {
        Map<String, String> p = minimal();
        p.put("snowflake.enable.schematization", "true");
        p.put("ksbridge.json.columns", "amount:NUMBER(10,2)");
        RunnerSettings s = RunnerSettings.parse(p);
        assertEquals("JSON (the default) with declared columns TypedColumns[amount NUMBER(10,2)]", s.valueFormatName);
        RecordingColumns out = new RecordingColumns();
        s.valueFormat.write("{\"amount\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), VALUE, out);
        assertEquals("TypedColumns[amount NUMBER(10,2)]", String.valueOf(out.columns));
        p.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        BridgeConfigException e = refused(p);
        assertEquals(List.of("ksbridge.json.columns"), settings(e), e.getMessage());
        assertTrue(e.getMessage().contains("declares columns of JSON values, and value.converter reads text"
                + " (StringConverter)"), e.getMessage());
    }

    private static final io.ksbridge.FormatContext VALUE = new io.ksbridge.FormatContext() {
        @Override
        public String topic() {
            return "orders";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 0;
        }

        @Override
        public boolean isKey() {
            return false;
        }

        @Override
        public org.apache.kafka.common.header.Headers headers() {
            return new org.apache.kafka.common.header.internals.RecordHeaders();
        }
    };

    /** Keeps the columns a format declares. */
    private static final class RecordingColumns implements io.ksbridge.JsonOutput {
        io.ksbridge.format.TypedColumns columns;

        @Override
        public com.fasterxml.jackson.core.JsonGenerator generator() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void writeRaw(byte[] json, int offset, int length) {
        }

        @Override
        public void schemaId(int id) {
        }

        @Override
        public void columns(io.ksbridge.format.TypedColumns declared) {
            columns = declared;
        }
    }

    @Test
    void transforms_ksbridgesAndConnectsSmts_honouredAndShownInTheSummary() throws Exception {
        Map<String, String> p = minimal();
        p.put("transforms", "mask,ts,drop");
        p.put("transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value");
        p.put("transforms.mask.fields", "ssn");
        p.put("transforms.ts.type", "insert");
        p.put("transforms.ts.field", "kafka_ts");
        p.put("transforms.ts.metadata", "timestamp");
        p.put("transforms.drop.type", "drop");
        p.put("transforms.drop.fields", "internal");
        RunnerSettings s = RunnerSettings.parse(p);
        assertEquals(List.of(), s.warnings);
        io.ksbridge.RecordTransform t = s.config.transform().orElseThrow();
        io.ksbridge.TransformRecord out = io.ksbridge.Transforms.applyTo(t, io.ksbridge.TransformRecord.of(
                new io.ksbridge.RecordCoordinates("orders", 0, 7), 1_700_000_000_000L, null,
                io.ksbridge.LazyJson.parse("{\"ssn\":\"123-45-6789\",\"internal\":1,\"id\":7}"),
                new org.apache.kafka.common.header.internals.RecordHeaders())).get(0);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(json.readTree("{\"ssn\":\"\",\"id\":7,\"kafka_ts\":1700000000000}"),
                json.readTree(out.value().toString()), "Connect's MaskField, then ksbridge's insert and drop");
        String summary = summary(p);
        assertTrue(summary.contains("  shaping:  connect:MaskField$Value.andThen(insert[kafka_ts=timestamp])"
                + ".andThen(drop[internal])\n"), summary);
    }

    @Test
    void connectPredicates_refusedNamingTheFilterTransform() {
        Map<String, String> p = minimal();
        p.put("predicates", "isHeartbeat");
        p.put("predicates.isHeartbeat.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        BridgeConfigException e = refused(p);
        assertEquals(List.of("predicates", "predicates.isHeartbeat.type"), settings(e), e.getMessage());
        assertTrue(e.getMessage().contains("Kafka Connect predicates are not supported; use a filter transform"
                + " (transforms.<alias>.type=filter) instead"), e.getMessage());
    }
}
