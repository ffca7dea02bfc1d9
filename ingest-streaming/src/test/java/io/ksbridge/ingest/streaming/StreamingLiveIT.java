package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.Secret;
import io.ksbridge.TableNamer;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.LiveEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Streaming scenario against a real Snowflake account: real BDEC acceptance, real offset tokens. Runs in the
 * {@code live} profile; skipped, with a message saying what to set, unless the SNOWFLAKE_* variables are set.
 */
class StreamingLiveIT {
    private static final List<String> REQUIRED = List.of("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PRIVATE_KEY_FILE",
            "SNOWFLAKE_ROLE", "SNOWFLAKE_DATABASE", "SNOWFLAKE_SCHEMA", "SNOWFLAKE_WAREHOUSE");

    private static Map<String, String> env() {
        return LiveEnvironment.require("the Streaming live suite", REQUIRED, "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for an encrypted key");
    }

    private static SnowflakeAccount account(Map<String, String> env) throws Exception {
        String acct = env.get("SNOWFLAKE_ACCOUNT");
        String url = env.getOrDefault("SNOWFLAKE_URL", acct.contains("://") || acct.contains(".snowflakecomputing.com") ? acct
                : "https://" + acct + ".snowflakecomputing.com");
        SnowflakeAccount.Builder b = SnowflakeAccount.builder().url(url).user(env.get("SNOWFLAKE_USER"))
                .role(env.get("SNOWFLAKE_ROLE")).warehouse(env.get("SNOWFLAKE_WAREHOUSE"))
                .privateKey(Secret.of(Files.readString(Path.of(env.get("SNOWFLAKE_PRIVATE_KEY_FILE")))));
        if (!acct.contains("://") && !acct.contains(".")) {
            b.accountName(acct);
        }
        if (env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE") != null) {
            b.passphrase(Secret.of(env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")));
        }
        return b.build();
    }

    @Test
    void live_1000RecordsThroughStreaming_landExactlyOnceAcrossARestart() throws Exception {
        Map<String, String> env = env();
        SnowflakeAccount account = account(env);
        String database = env.get("SNOWFLAKE_DATABASE").toUpperCase(Locale.ROOT);
        String schema = env.get("SNOWFLAKE_SCHEMA").toUpperCase(Locale.ROOT);
        String topic = "ksbridge_live_streaming_" + Long.toString(System.currentTimeMillis(), 36);
        String table = database + "." + schema + "." + TableNamer.connectorDefault().tableName(topic);
        int records = 1_000;
        SqlApiClient sql = SqlApiClient.create(account);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(topic, 2);
            StreamingIts.produceIds(kafka, topic, 2, 0, records / 2);
            run(kafka, account, database, schema, topic, sql, table, records / 2);
            StreamingIts.produceIds(kafka, topic, 2, records / 2, records);
            run(kafka, account, database, schema, topic, sql, table, records); // resumes from the committed tokens
            long[] counts = count(sql, table);
            assertEquals(records, counts[0], "rows");
            assertEquals(records, counts[1], "distinct ids");
        } finally {
            sql.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    private static void run(EmbeddedKafka kafka, SnowflakeAccount account, String database, String schema, String topic,
                            SqlApiClient sql, String table, int expected) throws Exception {
        StreamingBackend backend = StreamingBackend.builder().account(account).database(database).schema(schema).build();
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                .consumerProperties(kafka.consumerProperties("live-" + topic))
                .topics(topic)
                .flushPolicy(FlushPolicy.records(250).or(FlushPolicy.age(Duration.ofSeconds(1))))
                .backend(backend)
                .build()) {
            bridge.start();
            io.ksbridge.testkit.Await.until(Duration.ofMinutes(3), () -> kafka.committedOffsets("live-" + topic).values()
                    .stream().mapToLong(Long::longValue).sum() >= expected, () -> expected + " offsets committed for " + topic);
        }
        assertEquals(expected, count(sql, table)[0], "rows after a run");
    }

    private static long[] count(SqlApiClient sql, String table) {
        SqlResult r = sql.execute("SELECT COUNT(*), COUNT(DISTINCT RECORD_CONTENT:id) FROM " + table);
        return new long[] {Long.parseLong(r.rows().get(0).get(0)), Long.parseLong(r.rows().get(0).get(1))};
    }
}
