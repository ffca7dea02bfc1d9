package io.ksbridge.ingest.snowpipe;

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
 * The end-to-end scenario against a real Snowflake account: the only place the JDBC stage upload runs. Runs in the
 * {@code live} profile; skipped, with a message saying what to set, unless the SNOWFLAKE_* variables are set.
 */
class SnowpipeLiveIT {
    private static final List<String> REQUIRED = List.of("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PRIVATE_KEY_FILE",
            "SNOWFLAKE_ROLE", "SNOWFLAKE_DATABASE", "SNOWFLAKE_SCHEMA");

    private static Map<String, String> env() {
        return LiveEnvironment.require("the Snowpipe live suite", REQUIRED, "and SNOWFLAKE_WAREHOUSE to count rows, SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for an encrypted key");
    }

    private static SnowflakeAccount account(Map<String, String> env) throws Exception {
        String acct = env.get("SNOWFLAKE_ACCOUNT");
        String url = env.getOrDefault("SNOWFLAKE_URL", acct.contains("://") || acct.contains(".snowflakecomputing.com") ? acct
                : "https://" + acct + ".snowflakecomputing.com");
        SnowflakeAccount.Builder b = SnowflakeAccount.builder().url(url).user(env.get("SNOWFLAKE_USER"))
                .role(env.get("SNOWFLAKE_ROLE"))
                .privateKey(Secret.of(Files.readString(Path.of(env.get("SNOWFLAKE_PRIVATE_KEY_FILE")))));
        if (!acct.contains("://") && !acct.contains(".")) {
            b.accountName(acct);
        }
        if (env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE") != null) {
            b.passphrase(Secret.of(env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")));
        }
        if (env.get("SNOWFLAKE_WAREHOUSE") != null) {
            b.warehouse(env.get("SNOWFLAKE_WAREHOUSE"));
        }
        return b.build();
    }

    @Test
    void live_1000RecordsThroughSnowpipe_landExactlyOnceAndStageEmpties() throws Exception {
        Map<String, String> env = env();
        SnowflakeAccount account = account(env);
        String database = env.get("SNOWFLAKE_DATABASE").toUpperCase(Locale.ROOT);
        String schema = env.get("SNOWFLAKE_SCHEMA").toUpperCase(Locale.ROOT);
        String topic = "ksbridge_live_" + Long.toString(System.currentTimeMillis(), 36);
        String table = TableNamer.connectorDefault().tableName(topic);
        int records = 1_000;
        SqlApiClient sql = SqlApiClient.create(account);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic(topic, 2);
            SnowpipeIts.produceIds(kafka, topic, 2, 0, records);
            SnowpipeBackend backend = SnowpipeBackend.builder().account(account).database(database).schema(schema)
                    .statusPollInterval(Duration.ofSeconds(5)).build();
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .consumerProperties(kafka.consumerProperties("live-" + topic))
                    .topics(topic)
                    .flushPolicy(FlushPolicy.records(250).or(FlushPolicy.age(Duration.ofSeconds(2))))
                    .backend(backend)
                    .build()) {
                bridge.start();
                String stage = database + "." + schema + "." + SnowpipeBackend.stageName("KSBRIDGE", table);
                // every 5 s: each check is a query to the live account
                io.ksbridge.testkit.Await.until(Duration.ofMinutes(5), Duration.ofSeconds(5),
                        () -> count(sql, database, schema, table)[0] >= records && sql.execute("LIST @" + stage).rowCount() == 0,
                        () -> records + " rows in " + table + " and an empty stage " + stage + " (rows: "
                                + count(sql, database, schema, table)[0] + ")");
            }
            long[] counts = count(sql, database, schema, table);
            assertEquals(records, counts[0], "rows");
            assertEquals(records, counts[1], "distinct ids");
        } finally {
            sql.execute("DROP TABLE IF EXISTS " + database + "." + schema + "." + table);
            sql.execute("DROP STAGE IF EXISTS " + database + "." + schema + "." + SnowpipeBackend.stageName("KSBRIDGE", table));
            for (int p = 0; p < 2; p++) {
                sql.execute("DROP PIPE IF EXISTS " + database + "." + schema + "." + SnowpipeBackend.pipeName("KSBRIDGE", table, p));
            }
        }
    }

    private static long[] count(SqlApiClient sql, String database, String schema, String table) {
        SqlResult r = sql.execute("SELECT COUNT(*), COUNT(DISTINCT RECORD_CONTENT:id) FROM " + database + "." + schema + "." + table);
        return new long[] {Long.parseLong(r.rows().get(0).get(0)), Long.parseLong(r.rows().get(0).get(1))};
    }
}
