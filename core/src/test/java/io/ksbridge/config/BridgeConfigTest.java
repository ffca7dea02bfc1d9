package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeSettings;
import io.ksbridge.BufferStats;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.MetadataOptions;
import io.ksbridge.NoopBackend;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.Secret;
import io.ksbridge.config.BridgeConfig.IngestionMethod;
import io.ksbridge.config.BridgeConfig.Key;
import io.ksbridge.config.BridgeConfig.Type;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BridgeConfigTest {

    private static final String PEM_MARKER = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"; // the start of any RSA PKCS#8 body

    private static BridgeConfigException invalid(Map<String, ?> props) {
        return assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(props));
    }

    private static String onlyProblem(Map<String, ?> props) {
        BridgeConfigException e = invalid(props);
        assertEquals(1, e.problems().size(), e.getMessage());
        return e.getMessage();
    }

    private static BufferStats stats(long records, long bytes, Duration age) {
        return new BufferStats("T", "t", 0, records, bytes, age);
    }

    // ---- defaults ----

    @Test
    void from_emptyProperties_connectorSnowpipeDefaults() {
        BridgeConfig c = BridgeConfig.from(Map.of());
        assertEquals(IngestionMethod.SNOWPIPE, c.ingestionMethod());
        assertEquals(10_000, c.bufferCountRecords());
        assertEquals(5_000_000, c.bufferSizeBytes());
        assertEquals(Duration.ofSeconds(120), c.bufferFlushTime());
        assertEquals(MetadataOptions.all(), c.metadata());
        assertEquals(ErrorPolicy.failFast(), c.errorPolicy());
        assertEquals(NullValueBehavior.DEFAULT, c.nullValues());
        assertFalse(c.errorsLogEnabled());
        assertFalse(c.enableSchematization());
        assertEquals(Duration.ofSeconds(1), c.streamingMaxClientLag());
        assertEquals(List.of(), c.topics());
        assertEquals(Optional.empty(), c.topicPattern());
        assertEquals(Map.of(), c.topicToTable());
        assertEquals("MY_TOPIC_1894580786", c.tableNamer().tableName("my-topic"));
        assertEquals(Optional.empty(), c.name());
        assertEquals(Optional.empty(), c.accountUrl());
        assertEquals(Optional.empty(), c.user());
        assertEquals(Optional.empty(), c.privateKey());
        assertEquals(Optional.empty(), c.privateKeyPassphrase());
        assertEquals(Optional.empty(), c.role());
        assertEquals(Optional.empty(), c.database());
        assertEquals(Optional.empty(), c.schema());
    }

    @Test
    void from_streaming_streamingDefaults() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.ingestion.method", "snowpipe_streaming"));
        assertEquals(IngestionMethod.SNOWPIPE_STREAMING, c.ingestionMethod());
        assertEquals(10_000, c.bufferCountRecords());
        assertEquals(20_000_000, c.bufferSizeBytes());
        assertEquals(Duration.ofSeconds(10), c.bufferFlushTime());
    }

    @Test
    void flushPolicy_defaults_recordsOrBytesOrAge() {
        FlushPolicy p = BridgeConfig.from(Map.of()).flushPolicy();
        assertEquals(OptionalLong.of(5_000_000), p.byteThreshold());
        assertEquals(Optional.of(Duration.ofSeconds(120)), p.ageThreshold());
        assertFalse(p.shouldFlush(stats(9_999, 4_999_999, Duration.ofSeconds(119))));
        assertTrue(p.shouldFlush(stats(10_000, 1, Duration.ZERO)));
        assertTrue(p.shouldFlush(stats(1, 5_000_000, Duration.ZERO)));
        assertTrue(p.shouldFlush(stats(1, 1, Duration.ofSeconds(120))));
    }

    @Test
    void flushPolicy_bufferKeysSet_thresholdsFollowThem() {
        FlushPolicy p = BridgeConfig.from(Map.of("buffer.count.records", "5", "buffer.size.bytes", " 1000 ",
                "buffer.flush.time", "10")).flushPolicy();
        assertEquals("records(5).or(bytes(1000)).or(age(PT10S))", p.toString());
        assertFalse(p.shouldFlush(stats(4, 999, Duration.ofMillis(9_999))));
        assertTrue(p.shouldFlush(stats(5, 0, Duration.ZERO)));
    }

    // ---- single keys, valid values ----

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "snowflake.ingestion.method | SNOWPIPE           | SNOWPIPE",
            "snowflake.ingestion.method | Snowpipe_Streaming | SNOWPIPE_STREAMING",
            "buffer.count.records       | 1                  | 1",
            "buffer.count.records       | 9223372036854775807 | 9223372036854775807",
            "buffer.size.bytes          | 1                  | 1",
            "buffer.flush.time          | 10                 | PT10S",
            "buffer.flush.time          | 3600               | PT1H",
            "behavior.on.null.values    | ignore             | IGNORE",
            "behavior.on.null.values    | DEFAULT            | DEFAULT",
            "errors.log.enable          | TRUE               | true",
            "snowflake.metadata.all     | False              | MetadataOptions{none}",
            "snowflake.metadata.topic   | false              | MetadataOptions{topic=false, offsetAndPartition=true, createTime=true, connectorPushTime=true}",
            "snowflake.metadata.offset.and.partition | false | MetadataOptions{topic=true, offsetAndPartition=false, createTime=true, connectorPushTime=true}",
            "snowflake.metadata.createtime | false           | MetadataOptions{topic=true, offsetAndPartition=true, createTime=false, connectorPushTime=true}",
            "snowflake.streaming.metadata.connectorPushTime | false | MetadataOptions{topic=true, offsetAndPartition=true, createTime=true, connectorPushTime=false}",
            "errors.tolerance           | ALL                | skip",
            "errors.tolerance           | none               | failFast",
            "name                       | orders-loader      | orders-loader",
            "topics                     | ' a, b ,c'         | [a, b, c]",
            "topics.regex               | orders\\..*        | orders\\..*",
            "snowflake.url.name         | https://xy12345.snowflakecomputing.com | https://xy12345.snowflakecomputing.com",
            "snowflake.url.name         | xy12345.snowflakecomputing.com:443 | xy12345.snowflakecomputing.com:443",
            "snowflake.user.name        | ' KSBRIDGE '       | KSBRIDGE",
            "snowflake.role.name        | INGEST             | INGEST",
            "snowflake.database.name    | RAW                | RAW",
            "snowflake.schema.name      | KAFKA              | KAFKA",
    })
    void from_validValue_typedValue(String key, String value, String expected) {
        BridgeConfig c = BridgeConfig.from(Map.of(key, value));
        Object actual = switch (key) {
            case "snowflake.ingestion.method" -> c.ingestionMethod();
            case "buffer.count.records" -> c.bufferCountRecords();
            case "buffer.size.bytes" -> c.bufferSizeBytes();
            case "buffer.flush.time" -> c.bufferFlushTime();
            case "behavior.on.null.values" -> c.nullValues();
            case "errors.log.enable" -> c.errorsLogEnabled();
            case "errors.tolerance" -> c.errorPolicy();
            case "name" -> c.name().orElseThrow();
            case "topics" -> c.topics();
            case "topics.regex" -> c.topicPattern().orElseThrow().pattern();
            case "snowflake.url.name" -> c.accountUrl().orElseThrow();
            case "snowflake.user.name" -> c.user().orElseThrow();
            case "snowflake.role.name" -> c.role().orElseThrow();
            case "snowflake.database.name" -> c.database().orElseThrow();
            case "snowflake.schema.name" -> c.schema().orElseThrow();
            default -> c.metadata();
        };
        assertEquals(expected, String.valueOf(actual));
    }

    @Test
    void from_schematizationWithSnowpipe_accepted() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.ingestion.method", "SNOWPIPE",
                "snowflake.enable.schematization", "true"));
        assertTrue(c.enableSchematization());
    }

    @Test
    void from_streamingOnlyKeysWithStreaming_read() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.ingestion.method", "SNOWPIPE_STREAMING",
                "snowflake.enable.schematization", "true", "snowflake.streaming.max.client.lag", "5",
                "buffer.flush.time", "1"));
        assertTrue(c.enableSchematization());
        assertEquals(Duration.ofSeconds(5), c.streamingMaxClientLag());
        assertEquals(Duration.ofSeconds(1), c.bufferFlushTime());
    }

    @Test
    void errorPolicy_toleranceAllWithDeadLetterTopic_deadLetter() {
        BridgeConfig c = BridgeConfig.from(Map.of("errors.tolerance", "all",
                "errors.deadletterqueue.topic.name", "orders-dlq"));
        assertEquals(ErrorPolicy.deadLetter("orders-dlq"), c.errorPolicy());
    }

    @Test
    void errorPolicy_toleranceAllWithEmptyDeadLetterTopic_skip() {
        BridgeConfig c = BridgeConfig.from(Map.of("errors.tolerance", "all", "errors.deadletterqueue.topic.name", ""));
        assertEquals(ErrorPolicy.skip(), c.errorPolicy());
    }

    @Test
    void metadata_allFalseWithOtherFlagsTrue_none() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.metadata.all", "false", "snowflake.metadata.topic", "true"));
        assertFalse(c.metadata().enabled());
        assertFalse(c.metadata().topic());
    }

    // ---- invalid values, one problem each, verbatim ----

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "buffer.count.records | 0   | Invalid value 0 for setting buffer.count.records: must be >= 1",
            "buffer.count.records | -5  | Invalid value -5 for setting buffer.count.records: must be >= 1",
            "buffer.count.records | ten | Invalid value ten for setting buffer.count.records: expected a whole number",
            "buffer.count.records | 1.5 | Invalid value 1.5 for setting buffer.count.records: expected a whole number",
            "buffer.size.bytes    | 0   | Invalid value 0 for setting buffer.size.bytes: must be >= 1",
            "buffer.size.bytes    | ''  | Invalid value  for setting buffer.size.bytes: expected a whole number",
            "buffer.flush.time    | 9   | Invalid value 9 for setting buffer.flush.time: must be >= 10 for snowflake.ingestion.method=SNOWPIPE",
            "buffer.flush.time    | 99999999999999999999 | Invalid value 99999999999999999999 for setting buffer.flush.time: expected a whole number",
            "snowflake.metadata.all | yes | Invalid value yes for setting snowflake.metadata.all: expected true or false",
            "snowflake.metadata.topic | 1 | Invalid value 1 for setting snowflake.metadata.topic: expected true or false",
            "snowflake.metadata.offset.and.partition | on | Invalid value on for setting snowflake.metadata.offset.and.partition: expected true or false",
            "snowflake.metadata.createtime | '' | Invalid value  for setting snowflake.metadata.createtime: expected true or false",
            "snowflake.streaming.metadata.connectorPushTime | no | Invalid value no for setting snowflake.streaming.metadata.connectorPushTime: expected true or false",
            "errors.log.enable | y | Invalid value y for setting errors.log.enable: expected true or false",
            "errors.tolerance | some | Invalid value some for setting errors.tolerance: expected one of none, all (any case)",
            "behavior.on.null.values | drop | Invalid value drop for setting behavior.on.null.values: expected one of DEFAULT, IGNORE (any case)",
            "snowflake.ingestion.method | STREAMING | Invalid value STREAMING for setting snowflake.ingestion.method: expected one of SNOWPIPE, SNOWPIPE_STREAMING (any case)",
            "snowflake.enable.schematization | maybe | Invalid value maybe for setting snowflake.enable.schematization: expected true or false",
            "topics | 'a,,b' | Invalid value a,,b for setting topics: contains an empty topic name; write topic names separated by single commas",
            "topics | 'a,b,a' | Invalid value a,b,a for setting topics: lists topic 'a' twice",
            "topics.regex | 'orders(' | 'Invalid value orders( for setting topics.regex: not a valid regular expression: Unclosed group'",
            "topics.regex | ' ' | 'Invalid value   for setting topics.regex: must not be empty'",
            "name | ' ' | 'Invalid value   for setting name: must not be empty'",
            "name | 'my loader' | 'Invalid value my loader for setting name: must start with a letter, _ or - and contain only letters, digits, _, - and $ (at least 2 characters), as the connector requires'",
            "name | 'x' | 'Invalid value x for setting name: must start with a letter, _ or - and contain only letters, digits, _, - and $ (at least 2 characters), as the connector requires'",
            "name | '1abc' | 'Invalid value 1abc for setting name: must start with a letter, _ or - and contain only letters, digits, _, - and $ (at least 2 characters), as the connector requires'",
            "snowflake.url.name | ftp://host | Invalid value ftp://host for setting snowflake.url.name: the scheme must be https (or http with ksbridge.snowflake.allow.insecure.http=true, for a local emulator)",
            "snowflake.url.name | 'https://' | 'Invalid value https:// for setting snowflake.url.name: not a valid URL: Expected authority'",
            "snowflake.user.name | '' | 'Invalid value  for setting snowflake.user.name: must not be empty'",
            "snowflake.role.name | '' | 'Invalid value  for setting snowflake.role.name: must not be empty'",
            "snowflake.database.name | '' | 'Invalid value  for setting snowflake.database.name: must not be empty'",
            "snowflake.schema.name | '' | 'Invalid value  for setting snowflake.schema.name: must not be empty'",
            "snowflake.private.key | ' ' | 'Invalid value [hidden] for setting snowflake.private.key: must not be empty'",
            "snowflake.streaming.max.client.lag | 3 | 'Invalid value 3 for setting snowflake.streaming.max.client.lag: only available with snowflake.ingestion.method=SNOWPIPE_STREAMING'",
            "errors.deadletterqueue.topic.name | dlq | 'Invalid value dlq for setting errors.deadletterqueue.topic.name: a dead-letter topic needs errors.tolerance=all (errors.tolerance is none, which stops on the first bad record)'",
    })
    void from_invalidValue_oneProblemVerbatim(String key, String value, String expected) {
        assertEquals(expected, onlyProblem(Map.of(key, value)));
    }

    @Test
    void url_http_refusedUnlessTheInsecureSwitchIsSet() {
        Map<String, String> p = new HashMap<>(Map.of("snowflake.url.name", "http://127.0.0.1:8080",
                "snowflake.user.name", "u", "snowflake.private.key", "x"));
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(p));
        assertTrue(e.getMessage().contains("Invalid value http://127.0.0.1:8080 for setting snowflake.url.name: http://"
                + " sends the JWT or token and every row in clear; use https, or set"
                + " ksbridge.snowflake.allow.insecure.http=true"), e.getMessage());
        p.put("ksbridge.snowflake.allow.insecure.http", "true");
        assertEquals("http://127.0.0.1:8080", BridgeConfig.from(p).accountUrl().orElseThrow());
    }

    @Test
    void from_streamingFlushTimeBelowOneSecond_problem() {
        assertEquals("Invalid value 0 for setting buffer.flush.time: must be >= 1 for"
                        + " snowflake.ingestion.method=SNOWPIPE_STREAMING",
                onlyProblem(Map.of("snowflake.ingestion.method", "SNOWPIPE_STREAMING", "buffer.flush.time", "0")));
    }

    @Test
    void from_streamingMaxClientLagZero_problem() {
        assertEquals("Invalid value 0 for setting snowflake.streaming.max.client.lag: must be >= 1",
                onlyProblem(Map.of("snowflake.ingestion.method", "SNOWPIPE_STREAMING",
                        "snowflake.streaming.max.client.lag", "0")));
    }

    @Test
    void from_topicsAndTopicsRegex_problemNamingBoth() {
        assertEquals("Invalid value o.* for setting topics.regex: topics and topics.regex are mutually exclusive; set"
                + " only one of them", onlyProblem(Map.of("topics", "orders", "topics.regex", "o.*")));
    }

    @Test
    void from_nullValue_problem() {
        Map<String, String> props = new HashMap<>();
        props.put("buffer.count.records", null);
        assertEquals("Invalid value null for setting buffer.count.records: must not be null; remove the key to use"
                + " its default", onlyProblem(props));
    }

    @Test
    void from_nullMap_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> BridgeConfig.from((Map<String, ?>) null));
        assertEquals("properties must not be null", e.getMessage());
    }

    // ---- unknown keys ----

    @Test
    void from_unknownSnowflakeKey_problem() {
        assertEquals("Invalid value [hidden] for setting snowflake.jmx.enabled: unknown setting: ksbridge does not read it,"
                + " so it would have no effect; remove it. BridgeConfig.keys() lists the settings ksbridge reads.",
                onlyProblem(Map.of("snowflake.jmx.enabled", "1")));
    }

    @Test
    void from_misspelledBufferKey_problemSuggestsKey() {
        assertEquals("Invalid value [hidden] for setting buffer.flush.tme: unknown setting: ksbridge does not read it, so it"
                + " would have no effect; remove it. Did you mean buffer.flush.time? BridgeConfig.keys() lists the"
                + " settings ksbridge reads.", onlyProblem(Map.of("buffer.flush.tme", "30")));
    }

    @Test
    void from_misspelledSecretKey_valueHidden() {
        BridgeConfigException e = invalid(Map.of("snowflake.private.key.pasphrase", "hunter2"));
        assertEquals("[hidden]", e.problems().get(0).value());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("Did you mean snowflake.private.key.passphrase?"), e.getMessage());
    }

    @Test
    void from_connectKeysOutsideSnowflakeAndBuffer_ignored() {
        BridgeConfig c = BridgeConfig.from(Map.of("connector.class", "com.snowflake.kafka.connector.SnowflakeSinkConnector",
                "tasks.max", "8", "key.converter", "org.apache.kafka.connect.storage.StringConverter",
                "errors.retry.timeout", "0", "jmx", "true"));
        assertEquals(IngestionMethod.SNOWPIPE, c.ingestionMethod());
    }

    // ---- every problem at once ----

    @Test
    void from_severalProblems_allListedInOneException() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("buffer.count.records", "0");
        props.put("buffer.flush.time", "5");
        props.put("errors.tolerance", "sometimes");
        props.put("snowflake.topic2table.map", "a");
        props.put("snowflake.bogus", "x");
        props.put("snowflake.private.key", "-----BEGIN PRIVATE KEY-----\n" + PEM_MARKER + "\n-----END PRIVATE KEY-----");
        props.put("snowflake.private.key.passphrase", "correct horse");
        BridgeConfigException e = invalid(props);
        assertEquals(List.of("snowflake.topic2table.map", "buffer.count.records", "buffer.flush.time",
                        "errors.tolerance", "snowflake.bogus"),
                e.problems().stream().map(BridgeConfigException.Problem::setting).toList());
        assertTrue(e.getMessage().startsWith("5 configuration problems:\n  - Invalid value a for setting"
                + " snowflake.topic2table.map: entry 'a' is not <topic>:<table>"), e.getMessage());
        assertTrue(e.getMessage().contains("\n  - Invalid value 0 for setting buffer.count.records: must be >= 1\n"
                + "  - Invalid value 5 for setting buffer.flush.time: must be >= 10"), e.getMessage());
        assertFalse(e.getMessage().contains(PEM_MARKER), e.getMessage());
        assertFalse(e.getMessage().contains("correct horse"), e.getMessage());
    }

    // ---- snowflake.topic2table.map ----

    @Test
    void topicToTable_commaColonForm_mapInOrder() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.topic2table.map", "a:T1,b:T2"));
        assertEquals(List.of("a", "b"), List.copyOf(c.topicToTable().keySet()));
        assertEquals("T1", c.tableNamer().tableName("a"));
        assertEquals("T2", c.tableNamer().tableName("b"));
        assertEquals("C_99", c.tableNamer().tableName("c"));
    }

    @Test
    void topicToTable_whitespaceAndTrailingComma_accepted() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.topic2table.map", "  orders : orders_raw ,\tpayments:PAY ,"));
        assertEquals(Map.of("orders", "orders_raw", "payments", "PAY"), c.topicToTable());
        assertEquals("ORDERS_RAW", c.tableNamer().tableName("orders"));
    }

    @Test
    void topicToTable_regexKey_matchingTopicsMapped() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.topic2table.map", ".*_cat:cat_table,.*_dog:dog_table"));
        assertEquals("CAT_TABLE", c.tableNamer().tableName("calico_cat"));
        assertEquals("DOG_TABLE", c.tableNamer().tableName("corgi_dog"));
        assertEquals("BIRD", c.tableNamer().tableName("bird"));
    }

    @Test
    void topicToTable_quotedTables_keepTheirCaseAndQuotedDatabaseAccepted() {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.topic2table.map", "orders:\"MixedCase\",pay:\"my-table\",x:plain",
                "snowflake.database.name", "\"Raw\"", "snowflake.schema.name", "kafka"));
        assertEquals("MixedCase", c.tableNamer().tableName("orders"));
        assertEquals("my-table", c.tableNamer().tableName("pay"));
        assertEquals("PLAIN", c.tableNamer().tableName("x"));
        assertEquals(Optional.of("\"Raw\""), c.database());
        assertEquals("Invalid value my-db for setting snowflake.database.name: not a Snowflake identifier: unquoted (letters,"
                + " digits, _ and $, starting with a letter or _) or double-quoted (\"My-Db\")",
                onlyProblem(Map.of("snowflake.database.name", "my-db")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a:T1;b | entry 'b' is not <topic>:<table>",
            "a:b:c | entry 'a:b:c' is not <topic>:<table>",
            ":T1 | entry ':T1' is not <topic>:<table>",
            "a: | entry 'a:' is not <topic>:<table>",
            ";a:T1 | entry '' is not <topic>:<table>",
            "a:T1;;b:T2 | entry '' is not <topic>:<table>",
            "a:1abc | table '1abc' of topic 'a' is not a valid table name: at least 2 characters, starting with a letter or _, then letters, digits, _ or $; or double-quoted to keep its case",
            "a:x | table 'x' of topic 'a' is not a valid table name: at least 2 characters, starting with a letter or _, then letters, digits, _ or $; or double-quoted to keep its case",
            "a:my-table | table 'my-table' of topic 'a' is not a valid table name: at least 2 characters, starting with a letter or _, then letters, digits, _ or $; or double-quoted to keep its case",
            "a:db.sch.tbl | table 'db.sch.tbl' of topic 'a' is qualified: map to the table name alone and set snowflake.database.name and snowflake.schema.name",
            "a:T1;a:T2 | topic 'a' is mapped twice",
            ".*_cat:T1;calico_cat:T2 | topics '.*_cat' and 'calico_cat' overlap: one matches the other, so a topic could be mapped to two tables",
            "a[:T1 | topic 'a[' is neither a topic name nor a valid regular expression",
    })
    void topicToTable_malformed_problemNamingSetting(String value, String reason) {
        String map = value.replace(';', ',');
        assertEquals("Invalid value " + map + " for setting snowflake.topic2table.map: " + reason
                + ". Expected <topic>:<table>,<topic>:<table>,...", onlyProblem(Map.of("snowflake.topic2table.map", map)));
    }

    @Test
    void topicToTable_severalBadEntries_allInOneProblem() {
        assertEquals("Invalid value a,b:c:d for setting snowflake.topic2table.map: entry 'a' is not <topic>:<table>;"
                        + " entry 'b:c:d' is not <topic>:<table>. Expected <topic>:<table>,<topic>:<table>,...",
                onlyProblem(Map.of("snowflake.topic2table.map", "a,b:c:d")));
    }

    // ---- secrets ----

    @Test
    void privateKey_set_secretNeverPrinted() throws IOException {
        String pem = resource("/io/ksbridge/snowflake/test-key.p8");
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.private.key", pem,
                "snowflake.private.key.passphrase", "s3cr3t-pass"));
        assertEquals(Secret.of(pem.strip()), c.privateKey().orElseThrow());
        assertEquals(Secret.of("s3cr3t-pass"), c.privateKeyPassphrase().orElseThrow());
        String text = c.toString();
        assertTrue(text.contains("snowflake.private.key=[hidden]"), text);
        assertTrue(text.contains("snowflake.private.key.passphrase=[hidden]"), text);
        assertFalse(text.contains(pem.lines().skip(1).findFirst().orElseThrow()), text);
        assertFalse(text.contains("s3cr3t-pass"), text);
    }

    @Test
    void privateKeyPassphrase_empty_absent() {
        assertEquals(Optional.empty(),
                BridgeConfig.from(Map.of("snowflake.private.key.passphrase", "")).privateKeyPassphrase());
    }

    @Test
    void toString_defaults_everyKeyWithEffectiveValue() {
        String text = BridgeConfig.from(Map.of("errors.tolerance", "ALL")).toString();
        assertTrue(text.startsWith("BridgeConfig{snowflake.ingestion.method=SNOWPIPE, name=null,"), text);
        assertTrue(text.contains("buffer.size.bytes=5000000, buffer.flush.time=120,"), text);
        assertTrue(text.contains("errors.tolerance=all,"), text);
        assertTrue(text.contains("snowflake.private.key=null,"), text);
    }

    // ---- account ----

    @Test
    void account_allAccountKeys_accountBuilt() throws IOException {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.url.name", "xy12345.snowflakecomputing.com",
                "snowflake.user.name", "ksbridge", "snowflake.role.name", "INGEST",
                "snowflake.private.key", resource("/io/ksbridge/snowflake/test-key.p8")));
        SnowflakeAccount account = c.account();
        assertEquals("https://xy12345.snowflakecomputing.com", account.url().toString());
        assertEquals("KSBRIDGE", account.user());
        assertEquals(Optional.of("INGEST"), account.role());
        assertEquals("XY12345", account.accountName());
    }

    @Test
    void account_encryptedKeyWithPassphrase_accountBuilt() throws IOException {
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.url.name", "https://acct.snowflakecomputing.com",
                "snowflake.user.name", "u1", "snowflake.private.key",
                resource("/io/ksbridge/snowflake/test-key-encrypted-secret.p8"),
                "snowflake.private.key.passphrase", "secret"));
        assertEquals("U1", c.account().user());
    }

    @Test
    void account_missingKeys_problemsNameConnectorKeys() {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(Map.of()).account());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting snowflake.url.name: required to connect to Snowflake, for example"
                + " https://myorg-myaccount.snowflakecomputing.com\n"
                + "  - Invalid value null for setting snowflake.user.name: required to connect to Snowflake: the user"
                + " the key pair belongs to\n"
                + "  - Invalid value null for setting snowflake.private.key: required to connect to Snowflake: the"
                + " user's PKCS#8 private key (key-pair authentication)", e.getMessage());
    }

    @Test
    void account_keyThatDoesNotDecode_problemWithoutKey() {
        String notAKey = "-----BEGIN PRIVATE KEY-----\nAAAAnotakeyAAAA\n-----END PRIVATE KEY-----";
        BridgeConfig c = BridgeConfig.from(Map.of("snowflake.url.name", "acct.snowflakecomputing.com",
                "snowflake.user.name", "u", "snowflake.private.key", notAKey));
        BridgeConfigException e = assertThrows(BridgeConfigException.class, c::account);
        assertEquals("snowflake.private.key", e.problems().get(0).setting());
        assertEquals("[hidden]", e.problems().get(0).value());
        assertFalse(e.getMessage().contains("notakey"), e.getMessage());
    }

    // ---- applyTo ----

    @Test
    void applyTo_builder_bridgeSettingsFollowProperties() {
        BridgeConfig c = BridgeConfig.from(Map.of("name", "loader", "topics", "orders,payments",
                "snowflake.topic2table.map", "payments:payments_raw", "buffer.count.records", "500",
                "buffer.size.bytes", "1000000", "buffer.flush.time", "30", "snowflake.metadata.createtime", "false",
                "errors.tolerance", "all", "errors.deadletterqueue.topic.name", "dlq",
                "behavior.on.null.values", "IGNORE"));
        KafkaToSnowflakeBridge.Builder b = c.applyTo(KafkaToSnowflakeBridge.builder())
                .consumerProperties(Map.of("bootstrap.servers", "localhost:9092", "group.id", "g"))
                .backend(new NoopBackend("noop"));
        try (KafkaToSnowflakeBridge bridge = b.build()) {
            BridgeSettings s = bridge.settings();
            assertEquals("loader", s.name());
            assertEquals(List.of("orders", "payments"), s.topics());
            assertEquals("PAYMENTS_RAW", s.tableNamer().tableName("payments"));
            assertEquals("ORDERS", s.tableNamer().tableName("orders"));
            assertEquals("records(500).or(bytes(1000000)).or(age(PT30S))", s.flushPolicy().toString());
            assertEquals(MetadataOptions.all().withCreateTime(false), s.metadata());
            assertEquals(ErrorPolicy.deadLetter("dlq"), s.errorPolicy());
            assertEquals(NullValueBehavior.IGNORE, s.nullValues());
        }
    }

    @Test
    void applyTo_topicsRegex_topicPatternSet() {
        BridgeConfig c = BridgeConfig.from(Map.of("topics.regex", "orders-.*"));
        KafkaToSnowflakeBridge.Builder b = c.applyTo(KafkaToSnowflakeBridge.builder())
                .consumerProperties(Map.of("bootstrap.servers", "localhost:9092", "group.id", "g"))
                .backend(new NoopBackend("noop"));
        try (KafkaToSnowflakeBridge bridge = b.build()) {
            assertEquals("orders-.*", bridge.settings().topicPattern().pattern());
            assertTrue(bridge.settings().topics().isEmpty());
        }
    }

    @Test
    void applyTo_null_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> BridgeConfig.from(Map.of()).applyTo(null));
        assertEquals("builder must not be null", e.getMessage());
    }

    @Test
    void from_properties_sameAsMap() {
        Properties p = new Properties();
        p.setProperty("buffer.count.records", "42");
        p.setProperty("snowflake.ingestion.method", "SNOWPIPE_STREAMING");
        BridgeConfig c = BridgeConfig.from(p);
        assertEquals(42, c.bufferCountRecords());
        assertEquals(IngestionMethod.SNOWPIPE_STREAMING, c.ingestionMethod());
    }

    @Test
    void from_typicalConnectorPropertiesFile_accepted() throws IOException {
        Properties p = new Properties();
        p.load(new java.io.StringReader(String.join("\n",
                "connector.class=com.snowflake.kafka.connector.SnowflakeSinkConnector",
                "tasks.max=8",
                "topics=topic1,topic2",
                "snowflake.topic2table.map= topic1:table1,topic2:table2",
                "buffer.count.records=10000",
                "buffer.flush.time=60",
                "buffer.size.bytes=5000000",
                "snowflake.url.name=myorganization-myaccount.snowflakecomputing.com:443",
                "snowflake.user.name=jane.smith",
                "snowflake.private.key=xyz123",
                "snowflake.private.key.passphrase=jkladu098jfd089adsq4r",
                "snowflake.database.name=mydb",
                "snowflake.schema.name=myschema",
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=com.snowflake.kafka.connector.records.SnowflakeJsonConverter",
                "name=mykafkaconnectsnowflake")));
        BridgeConfig c = BridgeConfig.from(p);
        assertEquals(List.of("topic1", "topic2"), c.topics());
        assertEquals("TABLE2", c.tableNamer().tableName("topic2"));
        assertEquals(Duration.ofSeconds(60), c.bufferFlushTime());
        assertEquals(Optional.of("mydb"), c.database());
        assertEquals(Optional.of("mykafkaconnectsnowflake"), c.name());
        assertEquals(Secret.of("jkladu098jfd089adsq4r"), c.privateKeyPassphrase().orElseThrow());
        assertFalse(c.toString().contains("jkladu098jfd089adsq4r"));
        assertFalse(c.toString().contains("xyz123"));
    }

    // ---- the key table ----

    /** The given keys and the five jvm.proxy.* keys (BridgeConfigProxyTest tests those). */
    private static Set<String> withProxyKeys(String... keys) {
        Set<String> all = new java.util.HashSet<>(Set.of(keys));
        all.addAll(Set.of("jvm.proxy.host", "jvm.proxy.port", "jvm.proxy.username", "jvm.proxy.password",
                "jvm.nonProxy.hosts"));
        return all;
    }

    @Test
    void keys_table_everyConnectorKeyWithTypeDefaultAndDoc() {
        Map<String, Key> keys = BridgeConfig.keys().stream().collect(Collectors.toMap(Key::name, k -> k));
        assertEquals(BridgeConfig.keys().size(), keys.size(), "key names are unique");
        assertEquals(withProxyKeys("transforms", "ksbridge.snowflake.allow.insecure.http", "ksbridge.route.field", "ksbridge.json.columns",
                "ksbridge.route.header", "snowflake.topic2table.map", "buffer.count.records", "buffer.size.bytes",
                "buffer.flush.time", "snowflake.metadata.all", "snowflake.metadata.topic",
                "snowflake.metadata.offset.and.partition", "snowflake.metadata.createtime",
                "snowflake.streaming.metadata.connectorPushTime", "errors.tolerance", "errors.deadletterqueue.topic.name",
                "errors.log.enable", "behavior.on.null.values", "snowflake.ingestion.method", "topics", "topics.regex",
                "snowflake.url.name", "snowflake.user.name", "snowflake.private.key", "snowflake.private.key.passphrase",
                "snowflake.role.name", "snowflake.database.name", "snowflake.schema.name", "name",
                "snowflake.enable.schematization", "snowflake.streaming.max.client.lag", "snowflake.authenticator",
                "snowflake.oauth.client.id", "snowflake.oauth.client.secret", "snowflake.oauth.refresh.token",
                "snowflake.oauth.token.endpoint", "snowflake.oauth.include.scope", "snowflake.oauth.scope"), keys.keySet());
        assertTrue(keys.get("snowflake.oauth.client.secret").secret());
        assertTrue(keys.get("snowflake.oauth.refresh.token").secret());
        assertFalse(keys.get("snowflake.oauth.client.id").secret());
        assertEquals("snowflake_jwt", keys.get("snowflake.authenticator").defaultValue());
        assertEquals(new Key("buffer.count.records", Type.LONG, "10000", ">= 1",
                "Flush a partition's buffer when it holds this many records."), keys.get("buffer.count.records"));
        assertEquals("5000000 (SNOWPIPE), 20000000 (SNOWPIPE_STREAMING)", keys.get("buffer.size.bytes").defaultValue());
        assertEquals("120 (SNOWPIPE), 10 (SNOWPIPE_STREAMING)", keys.get("buffer.flush.time").defaultValue());
        assertEquals(">= 10 (SNOWPIPE), >= 1 (SNOWPIPE_STREAMING)", keys.get("buffer.flush.time").validValues());
        assertEquals("SNOWPIPE", keys.get("snowflake.ingestion.method").defaultValue());
        assertEquals("none", keys.get("errors.tolerance").defaultValue());
        assertEquals("DEFAULT", keys.get("behavior.on.null.values").defaultValue());
        assertEquals("true", keys.get("snowflake.streaming.metadata.connectorPushTime").defaultValue());
        assertTrue(keys.get("snowflake.private.key").secret());
        assertTrue(keys.get("snowflake.private.key.passphrase").secret());
        assertFalse(keys.get("snowflake.user.name").secret());
        for (Key k : BridgeConfig.keys()) {
            assertFalse(k.doc().isBlank(), k.name());
            assertFalse(k.validValues().isBlank(), k.name());
        }
    }

    @Test
    void keys_list_immutable() {
        assertThrows(UnsupportedOperationException.class, () -> BridgeConfig.keys().clear());
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BridgeConfigTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
