package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.SnowflakeEmulator;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import net.snowflake.client.jdbc.SnowflakeConnection;
import net.snowflake.client.jdbc.SnowflakeDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snowflake's own JDBC driver (3.28, unmodified) against the emulator's JDBC front end. */
class SnowflakeEmulatorJdbcTest {
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start() {
        snowflake = SnowflakeEmulator.start();
    }

    @AfterAll
    static void stop() {
        snowflake.close();
    }

    static Connection connect(PrivateKey key, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.put("user", SnowflakeEmulator.USER);
        p.put("account", "127");
        p.put("authenticator", "SNOWFLAKE_JWT");
        p.put("privateKey", key);
        p.put("ssl", "off");
        p.put("disablePlatformDetection", "true"); // never let the driver probe cloud metadata addresses
        p.put("loginTimeout", "20");
        p.putAll(extra);
        return new SnowflakeDriver().connect("jdbc:snowflake://127.0.0.1:" + snowflake.port(), p);
    }

    static Connection connect() throws SQLException {
        return connect(snowflake.privateKey(), new Properties());
    }

    private static List<List<String>> rows(ResultSet rs) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int c = 1; c <= n; c++) {
                row.add(rs.getString(c));
            }
            rows.add(row);
        }
        return rows;
    }

    @Test
    void login_keyPairJwt_selectOneIsANumberAndCloseEndsTheSession() throws Exception {
        int before = snowflake.jdbcSessions();
        int loginsBefore = snowflake.jdbcLogins().size();
        try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertEquals(before + 1, snowflake.jdbcSessions());
            assertTrue(rs.next());
            assertEquals(Types.BIGINT, rs.getMetaData().getColumnType(1), "SELECT 1 is typed fixed");
            assertEquals(1, rs.getInt(1));
            assertFalse(rs.next());
        }
        assertEquals(before, snowflake.jdbcSessions(), "close() deletes the session");
        JdbcLogin login = snowflake.jdbcLogins().get(loginsBefore);
        assertEquals("KSBRIDGE", login.loginName());
        assertEquals("JDBC", login.clientAppId());
        assertEquals("3.28.0", login.clientAppVersion());
        assertFalse(login.clientEnvironment().has("PLATFORM"), "platform detection was off: " + login.clientEnvironment());
    }

    @Test
    void login_keyTheEmulatorDoesNotTrust_failsWithSnowflakesJwtCode() {
        SQLException e = assertThrows(SQLException.class, () -> connect(SnowflakeEmulator.newKeyPair().getPrivate(),
                new Properties()).close());
        assertEquals(390144, e.getErrorCode(), e.toString());
        assertTrue(e.getMessage().contains("JWT token is invalid"), e.getMessage());
    }

    @Test
    void session_useDatabaseAndSchema_unqualifiedNamesResolveInThem() throws Exception {
        Properties p = new Properties();
        p.put("db", "JDBCDB");
        p.put("schema", "FIRST");
        p.put("role", "KSBRIDGE_ROLE");
        try (Connection c = connect(snowflake.privateKey(), p); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select current_database(), current_schema(), current_role()")) {
                assertEquals(List.of(List.of("JDBCDB", "FIRST", "KSBRIDGE_ROLE")), rows(rs));
            }
            assertEquals(0, st.executeUpdate("create table t1 (a variant)"), "DDL counts 0 rows");
            assertTrue(snowflake.tables().find("JDBCDB.FIRST.T1").isPresent());
            st.execute("use schema second");
            st.execute("create table t1 (b variant)");
            assertTrue(snowflake.tables().find("JDBCDB.SECOND.T1").isPresent());
            try (PreparedStatement ps = c.prepareStatement("use database identifier(?)")) {
                ps.setString(1, "OTHERDB");
                ps.execute();
            }
            try (ResultSet rs = st.executeQuery("select current_database(), current_schema()")) {
                assertEquals(List.of(List.of("OTHERDB", "PUBLIC")), rows(rs), "USE DATABASE goes to its PUBLIC schema");
            }
        }
    }

    @Test
    void statement_withBindings_identifierAndLiteral() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("create table DB.PUBLIC.BOUND (RECORD_METADATA variant, RECORD_CONTENT variant not null)");
            try (PreparedStatement ps = c.prepareStatement("desc table identifier(?)")) {
                ps.setString(1, "DB.PUBLIC.BOUND");
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    assertEquals("name", md.getColumnName(1));
                    assertEquals("null?", md.getColumnName(4));
                    List<List<String>> rows = rows(rs);
                    assertEquals(2, rows.size());
                    assertEquals(List.of("RECORD_METADATA", "VARIANT", "COLUMN", "Y"), rows.get(0).subList(0, 4));
                    assertEquals(List.of("RECORD_CONTENT", "VARIANT", "COLUMN", "N"), rows.get(1).subList(0, 4));
                }
            }
            st.execute("create stage DB.PUBLIC.QUOTED_PATTERNS");
            try (PreparedStatement ps = c.prepareStatement("list @DB.PUBLIC.QUOTED_PATTERNS pattern = ?")) {
                ps.setString(1, ".*it's.*"); // a literal with a quote in it, quoted as SQL quotes it
                try (ResultSet rs = ps.executeQuery()) {
                    assertFalse(rs.next());
                }
            }
        }
    }

    @Test
    void statement_thatFails_isASqlExceptionWithSnowflakesCodeAndState() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            SQLException syntax = assertThrows(SQLException.class, () -> st.execute("FROBNICATE THE TABLE"));
            assertEquals(1003, syntax.getErrorCode());
            assertEquals("42000", syntax.getSQLState());
            assertTrue(syntax.getMessage().contains("SQL compilation error"), syntax.getMessage());
            SQLException missing = assertThrows(SQLException.class, () -> st.execute("desc table DB.PUBLIC.NOPE"));
            assertEquals(2003, missing.getErrorCode());
            assertEquals("02000", missing.getSQLState());
            assertTrue(missing.getMessage().contains("Table 'DB.PUBLIC.NOPE' does not exist or not authorized."),
                    missing.getMessage());
            // the session goes on after errors
            try (ResultSet rs = st.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
        assertFalse(Files.exists(Path.of("output.json")), "every error carried a code: the driver wrote no output.json");
    }

    @Test
    void uploadStream_localFsStageByDefault_listGetRemove_filesByteExactOnTheStage(@TempDir Path downloads)
            throws Exception {
        localFsUploadListGetRemove(downloads);
    }

    private static void localFsUploadListGetRemove(Path downloads) throws Exception {
        long uploadsBefore = snowflake.requestCount(JdbcService.UPLOAD_PREFIX);
        byte[] one = "{\"a\":1}{\"a\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] two = new byte[70_000];
        new java.util.Random(3).nextBytes(two);
        int putsBefore = snowflake.jdbcPuts().size();
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("create stage if not exists DB.PUBLIC.FILES");
            SnowflakeConnection sf = c.unwrap(SnowflakeConnection.class);
            sf.uploadStream("@DB.PUBLIC.FILES", "conn/T/0", new ByteArrayInputStream(one), "0_1.json", false);
            sf.uploadStream("@DB.PUBLIC.FILES", "conn/T/1", new ByteArrayInputStream(two), "5_9.bin", false);
            assertArrayEquals(one, snowflake.stages().read("DB.PUBLIC.FILES", "conn/T/0/0_1.json"));
            assertArrayEquals(two, snowflake.stages().read("DB.PUBLIC.FILES", "conn/T/1/5_9.bin"));
            List<JdbcPut> puts = snowflake.jdbcPuts().subList(putsBefore, snowflake.jdbcPuts().size());
            assertEquals(List.of("DB.PUBLIC.FILES conn/T/0 /tmp/placeholder", "DB.PUBLIC.FILES conn/T/1 /tmp/placeholder"),
                    puts.stream().map(p -> p.stage() + " " + p.prefix() + " " + p.source()).toList());
            assertEquals(uploadsBefore, snowflake.requestCount(JdbcService.UPLOAD_PREFIX), "the driver copied the files");

            try (ResultSet rs = st.executeQuery("list @DB.PUBLIC.FILES/conn/T")) {
                assertEquals(Types.BIGINT, rs.getMetaData().getColumnType(2), "size is a number");
                assertTrue(rs.next());
                assertEquals("files/conn/T/0/0_1.json", rs.getString("name"));
                assertEquals(one.length, rs.getLong("size"));
                assertTrue(rs.next());
                assertEquals("files/conn/T/1/5_9.bin", rs.getString("name"));
                assertEquals(two.length, rs.getLong("size"));
                assertFalse(rs.next());
            }

            String target = downloads.toAbsolutePath().toString();
            try (ResultSet rs = st.executeQuery("GET @DB.PUBLIC.FILES/conn/T/0 'file://" + target + "'")) {
                assertTrue(rs.next(), "GET reports the file it copied");
            }
            assertArrayEquals(one, Files.readAllBytes(downloads.resolve("0_1.json")));

            try (ResultSet rs = st.executeQuery("remove @DB.PUBLIC.FILES/conn/T/0")) {
                assertEquals(List.of(List.of("files/conn/T/0/0_1.json", "removed")), rows(rs));
            }
            assertNull(snowflake.stages().read("DB.PUBLIC.FILES", "conn/T/0/0_1.json"));
            try (ResultSet rs = st.executeQuery("ls @DB.PUBLIC.FILES")) {
                assertEquals(1, rows(rs).size());
            }
        }
    }

    @Test
    void uploadStream_cloudStyleStage_driverEncryptsAndPutsToThePresignedUrlAndTheEmulatorDecrypts() throws Exception {
        byte[] one = "{\"a\":1}{\"a\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] two = new byte[300_000];
        new java.util.Random(5).nextBytes(two);
        int putsBefore = snowflake.jdbcPuts().size();
        long uploadsBefore = snowflake.requestCount(JdbcService.UPLOAD_PREFIX);
        snowflake.cloudStyleStages(true);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("create stage if not exists DB.PUBLIC.CLOUDY");
            SnowflakeConnection sf = c.unwrap(SnowflakeConnection.class);
            sf.uploadStream("@DB.PUBLIC.CLOUDY", "conn/T/0", new ByteArrayInputStream(one), "0_1.json", false);
            sf.uploadStream("@DB.PUBLIC.CLOUDY", "conn/T/1", new ByteArrayInputStream(two), "5_9.bin", false);
        } finally {
            snowflake.cloudStyleStages(false);
        }
        assertArrayEquals(one, snowflake.stages().read("DB.PUBLIC.CLOUDY", "conn/T/0/0_1.json"));
        assertArrayEquals(two, snowflake.stages().read("DB.PUBLIC.CLOUDY", "conn/T/1/5_9.bin"));
        assertEquals(2, snowflake.requestCount(JdbcService.UPLOAD_PREFIX) - uploadsBefore, "one HTTP PUT per file");
        List<JdbcPut> puts = snowflake.jdbcPuts().subList(putsBefore, snowflake.jdbcPuts().size());
        assertEquals(List.of("DB.PUBLIC.CLOUDY conn/T/0 0_1.json", "DB.PUBLIC.CLOUDY conn/T/1 5_9.bin"),
                puts.stream().map(p -> p.stage() + " " + p.prefix() + " " + p.source()).toList());
    }

    /**
     * Driver 3.28 retries a failed presigned upload by sending the request again, but its body can be the already
     * consumed stream: 0 bytes. Cloud storage would keep that empty object; the emulator refuses a body that does
     * not match the driver's own digest, so a fault ends as a failed upload (the caller retries), never as an empty
     * file on the stage.
     */
    @Test
    void faults_onThePresignedUpload_endInTheRightBytesOrAFailedUploadNeverAnEmptyFile() throws Exception {
        byte[] data = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        snowflake.cloudStyleStages(true);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("create stage if not exists DB.PUBLIC.FLAKY_UPLOADS");
            SnowflakeConnection sf = c.unwrap(SnowflakeConnection.class);
            for (String fault : List.of("fail", "drop")) {
                long before = snowflake.requestCount(JdbcService.UPLOAD_PREFIX);
                if (fault.equals("fail")) {
                    snowflake.faults().only(JdbcService.UPLOAD_PREFIX).failNext(1);
                } else {
                    snowflake.faults().only(JdbcService.UPLOAD_PREFIX).dropNext(1);
                }
                String outcome;
                try {
                    sf.uploadStream("@DB.PUBLIC.FLAKY_UPLOADS", fault, new ByteArrayInputStream(data), "f.json", false);
                    outcome = "uploaded";
                } catch (SQLException e) {
                    outcome = "failed";
                } finally {
                    snowflake.faults().reset();
                }
                byte[] staged = snowflake.stages().read("DB.PUBLIC.FLAKY_UPLOADS", fault + "/f.json");
                System.out.printf("JDBC-PRESIGNED-FAULT: %s once: %s after %d HTTP PUTs, %s bytes staged%n", fault, outcome,
                        snowflake.requestCount(JdbcService.UPLOAD_PREFIX) - before, staged == null ? "no" : staged.length);
                assertTrue(snowflake.requestCount(JdbcService.UPLOAD_PREFIX) - before >= 2, fault + ": the driver retried");
                if (outcome.equals("uploaded") || staged != null) {
                    assertArrayEquals(data, staged, fault + ": " + outcome);
                }
            }
        } finally {
            snowflake.cloudStyleStages(false);
        }
    }

    @Test
    void put_toAStageThatDoesNotExist_failsNamingIt() throws Exception {
        try (Connection c = connect()) {
            SnowflakeConnection sf = c.unwrap(SnowflakeConnection.class);
            SQLException e = assertThrows(SQLException.class, () -> sf.uploadStream("@DB.PUBLIC.NO_SUCH_STAGE", "p",
                    new ByteArrayInputStream(new byte[] {1}), "f", false));
            assertTrue(e.getMessage().contains("Stage 'DB.PUBLIC.NO_SUCH_STAGE' does not exist or not authorized."),
                    e.getMessage());
        }
    }

    @Test
    void faults_applyToTheDriversRoutes_itRetriesA503AndTheStatementRuns() throws Exception {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long before = snowflake.requestCount("/queries/v1/query-request");
            long failedBefore = snowflake.faults().injectedFailures();
            snowflake.faults().only("/queries/").failNext(1);
            try {
                st.execute("create stage if not exists DB.PUBLIC.AFTER_A_FAULT");
            } finally {
                snowflake.faults().reset();
            }
            assertEquals(1, snowflake.faults().injectedFailures() - failedBefore);
            assertEquals(2, snowflake.requestCount("/queries/v1/query-request") - before, "the driver sent it again");
            assertTrue(snowflake.stages().exists("DB.PUBLIC.AFTER_A_FAULT"));
        }
    }
}
