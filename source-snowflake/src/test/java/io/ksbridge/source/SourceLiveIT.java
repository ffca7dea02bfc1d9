package io.ksbridge.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.snowflake.SqlResult;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.LiveEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reference's "verify live" facts the bridge and the emulator depend on, against a real account. Each test asserts
 * what the emulator models, so a failure here means the emulator (and perhaps the bridge) is wrong about Snowflake.
 * Runs in the {@code live} profile; skipped, with a message naming the variables, unless the SNOWFLAKE_* variables
 * are set. It creates its objects in SNOWFLAKE_DATABASE.SNOWFLAKE_SCHEMA and drops them after each test.
 */
class SourceLiveIT {
    private static final List<String> REQUIRED = List.of("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PRIVATE_KEY_FILE",
            "SNOWFLAKE_ROLE", "SNOWFLAKE_DATABASE", "SNOWFLAKE_SCHEMA", "SNOWFLAKE_WAREHOUSE");

    private SqlApiClient sql;
    private SnowflakeAccount account;
    private String schema;
    private String table;
    private final List<String> drops = new ArrayList<>();

    private static Map<String, String> env() {
        return LiveEnvironment.require("the Snowflake -> Kafka live suite", REQUIRED, "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE for an encrypted key");
    }

    private static SnowflakeAccount account(Map<String, String> env, boolean warehouse) throws Exception {
        String acct = env.get("SNOWFLAKE_ACCOUNT");
        String url = env.getOrDefault("SNOWFLAKE_URL", acct.contains("://") || acct.contains(".snowflakecomputing.com") ? acct
                : "https://" + acct + ".snowflakecomputing.com");
        SnowflakeAccount.Builder b = SnowflakeAccount.builder().url(url).user(env.get("SNOWFLAKE_USER")).role(env.get("SNOWFLAKE_ROLE"))
                .privateKey(Secret.of(Files.readString(Path.of(env.get("SNOWFLAKE_PRIVATE_KEY_FILE")))));
        if (!acct.contains("://") && !acct.contains(".")) {
            b.accountName(acct);
        }
        if (env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE") != null) {
            b.passphrase(Secret.of(env.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE")));
        }
        if (warehouse) {
            b.warehouse(env.get("SNOWFLAKE_WAREHOUSE"));
        }
        return b.build();
    }

    @BeforeEach
    void setUp() throws Exception {
        Map<String, String> env = env();
        account = account(env, true);
        sql = SqlApiClient.create(account);
        schema = env.get("SNOWFLAKE_DATABASE").toUpperCase(Locale.ROOT) + "." + env.get("SNOWFLAKE_SCHEMA").toUpperCase(Locale.ROOT);
        table = schema + ".KSB_LIVE_" + Long.toString(System.currentTimeMillis(), 36).toUpperCase(Locale.ROOT);
        sql.execute("CREATE TABLE " + table + " (ID NUMBER(38,0) PRIMARY KEY, NAME VARCHAR, QTY NUMBER(10,2)) CHANGE_TRACKING = TRUE");
        drops.add("DROP TABLE IF EXISTS " + table);
        sql.execute("INSERT INTO " + table + " (ID, NAME, QTY) VALUES (1, 'a', 1.50), (2, 'b', 2.50)");
    }

    @AfterEach
    void tearDown() {
        if (sql == null) {
            return;
        }
        for (String d : drops) {
            sql.execute(d);
        }
    }

    private String stream() {
        String s = table + "_S";
        sql.execute("CREATE STREAM " + s + " ON TABLE " + table);
        drops.add(0, "DROP STREAM IF EXISTS " + s);
        return s;
    }

    @Test
    void live_selectNeverMovesTheStream_ctasIfNotExistsOnAnExistingTableConsumesNothing() {
        String s = stream();
        sql.execute("INSERT INTO " + table + " (ID, NAME, QTY) VALUES (3, 'c', 3.50)");
        assertEquals(1, sql.execute("SELECT * FROM " + s).rowCount());
        assertEquals(1, sql.execute("SELECT * FROM " + s).rowCount(), "a SELECT does not advance the stream");
        String batch = table + "_B1";
        drops.add(0, "DROP TABLE IF EXISTS " + batch);
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS " + batch + " DATA_RETENTION_TIME_IN_DAYS = 0 AS SELECT * FROM " + s);
        sql.execute("INSERT INTO " + table + " (ID, NAME, QTY) VALUES (4, 'd', 4.50)");
        sql.execute("CREATE TRANSIENT TABLE IF NOT EXISTS " + batch + " DATA_RETENTION_TIME_IN_DAYS = 0 AS SELECT * FROM " + s);
        assertEquals(1, sql.execute("SELECT * FROM " + batch).rowCount(), "the batch holds the first consumption only");
        SqlResult left = sql.execute("SELECT ID FROM " + s);
        assertEquals(1, left.rowCount(), "a CTAS IF NOT EXISTS on an existing table does not consume the stream");
        assertEquals("4", left.rows().get(0).get(0));
    }

    @Test
    void live_anUpdateBackToTheOriginalValues_leavesNoChangeInTheStream() {
        String s = stream();
        sql.execute("UPDATE " + table + " SET NAME = 'z' WHERE ID = 1");
        sql.execute("UPDATE " + table + " SET NAME = 'a' WHERE ID = 1");
        // the emulator's net delta drops a row whose image at both ends is equal
        assertEquals(0, sql.execute("SELECT * FROM " + s).rowCount());
    }

    @Test
    void live_streamProbeAndClockNeedNoWarehouse_andValuesComeAsTheEmulatorEncodesThem() throws Exception {
        String s = stream();
        SqlApiClient bare = SqlApiClient.create(account(System.getenv(), false));
        assertEquals("false", bare.execute("SELECT SYSTEM$STREAM_HAS_DATA('" + s + "')").rows().get(0).get(0));
        long now = Long.parseLong(bare.execute("SELECT DATE_PART(EPOCH_MILLISECOND, CURRENT_TIMESTAMP())").rows().get(0).get(0));
        assertTrue(Math.abs(now - System.currentTimeMillis()) < Duration.ofMinutes(5).toMillis(), "Snowflake's clock: " + now);
        sql.execute("UPDATE " + table + " SET QTY = 9.25 WHERE ID = 2");
        assertEquals("true", bare.execute("SELECT SYSTEM$STREAM_HAS_DATA('" + s + "')").rows().get(0).get(0));
        SqlResult r = sql.execute("SELECT ID, QTY, METADATA$ACTION, METADATA$ISUPDATE FROM " + s + " ORDER BY METADATA$ACTION");
        assertEquals(List.of(List.of("2", "2.50", "DELETE", "true"), List.of("2", "9.25", "INSERT", "true")), r.rows());
        assertEquals("fixed", r.columnTypes().get(1).type());
        assertEquals(2, r.columnTypes().get(1).scale());
    }

    @Test
    void live_theBridgePublishesInsertsUpdatesAndDeletes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("live.topic", 1);
            String name = "live-" + Long.toString(System.currentTimeMillis(), 36);
            try (SnowflakeToKafkaBridge b = SnowflakeToKafkaBridge.builder().name(name).account(account)
                    .producerProperties(Map.of("bootstrap.servers", kafka.bootstrapServers()))
                    .table(TableSpec.of(table).topic("live.topic")).pollInterval(Duration.ofSeconds(2)).build()) {
                b.start();
                Await.until(Duration.ofMinutes(3), Duration.ofSeconds(2), () -> SourceFixture.readCommitted(kafka, "live.topic").size() == 2,
                        () -> "the snapshot; " + b.failure());
                sql.execute("INSERT INTO " + table + " (ID, NAME, QTY) VALUES (3, 'c', 3.50)");
                sql.execute("UPDATE " + table + " SET NAME = 'B' WHERE ID = 2");
                sql.execute("DELETE FROM " + table + " WHERE ID = 1");
                Await.until(Duration.ofMinutes(3), Duration.ofSeconds(2), () -> SourceFixture.readCommitted(kafka, "live.topic").size() == 6,
                        () -> "the changes; " + b.failure());
            } finally {
                SqlResult left = sql.execute("SHOW STREAMS LIKE 'KSB_%' IN SCHEMA " + schema);
                for (int i = 0; i < left.rowCount(); i++) {
                    if (table.endsWith(String.valueOf(left.get(i, "table_name")))) {
                        sql.execute("DROP STREAM IF EXISTS " + schema + "." + left.get(i, "name"));
                    }
                }
            }
            List<String> changes = SourceFixture.changes(SourceFixture.readCommitted(kafka, "live.topic"));
            assertEquals(List.of("r {\"ID\":1} a", "r {\"ID\":2} b"), changes.subList(0, 2));
            // the three statements may land in one batch or several: compare the changes as a set
            assertEquals(List.of("c {\"ID\":3} c", "d {\"ID\":1} a", "tombstone {\"ID\":1}", "u {\"ID\":2} B was b"),
                    sorted(changes.subList(2, changes.size())));
        }
    }

    private static List<String> sorted(List<String> changes) {
        List<String> out = new ArrayList<>(changes);
        out.sort(null);
        return out;
    }
}
