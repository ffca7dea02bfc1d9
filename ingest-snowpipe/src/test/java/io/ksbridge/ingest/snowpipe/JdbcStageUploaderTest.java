package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.JdbcPut;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Driver;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The production upload path, Snowflake's JDBC driver's {@code uploadStream}, against the emulator. */
class JdbcStageUploaderTest {
    static final String REAL_DRIVER = "net.snowflake.client.jdbc.SnowflakeDriver";
    static final String SHADED_DRIVER = "net.snowflake.ingest.internal.net.snowflake.client.jdbc.SnowflakeDriver";
    static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start() {
        snowflake = SnowflakeEmulator.start();
        try (SqlApiClient sql = SqlApiClient.create(snowflake.account())) {
            sql.execute("CREATE STAGE IF NOT EXISTS DB.UPLOADS.ST");
        }
    }

    @AfterAll
    static void stop() {
        snowflake.close();
    }

    private static SnowflakeAccount account(String url) {
        return SnowflakeAccount.builder().url(url).allowInsecureHttp().user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE)
                .accountName("127").privateKey(snowflake.privateKeyPem()).build();
    }

    @Test
    void upload_throughTheDriver_fileByteExactOnTheStageAndTheEmulatorSawThePut() throws Exception {
        byte[] data = "{\"RECORD_CONTENT\":{\"id\":1}}\n".getBytes(StandardCharsets.UTF_8);
        int before = snowflake.jdbcPuts().size();
        try (StageUploader uploader = StageUploader.jdbc(snowflake.account())) {
            uploader.upload("DB.UPLOADS.ST", "KSBRIDGE/T/0/0_0.json", data);
            uploader.upload("DB.UPLOADS.ST", "KSBRIDGE/T/0/1_1.json", data);
        }
        assertArrayEquals(data, snowflake.stages().read("DB.UPLOADS.ST", "KSBRIDGE/T/0/0_0.json"));
        assertArrayEquals(data, snowflake.stages().read("DB.UPLOADS.ST", "KSBRIDGE/T/0/1_1.json"));
        List<JdbcPut> puts = snowflake.jdbcPuts().subList(before, snowflake.jdbcPuts().size());
        assertEquals(2, puts.size(), puts.toString());
        assertTrue(puts.stream().allMatch(p -> p.stage().equals("DB.UPLOADS.ST") && p.prefix().equals("KSBRIDGE/T/0")),
                puts.toString());
        assertEquals(0, snowflake.jdbcSessions(), "close() ended the driver's session");
    }

    /**
     * Several files through one uploader (one login, as the backend does) in both stage modes, each byte-exact on the
     * stage. The cost per file is a benchmark's question ({@code benchmarks}' e2e runs), not a unit test's.
     */
    @Test
    void upload_severalFilesInBothStageModes_eachByteExactOnTheStage() throws Exception {
        byte[] data = new byte[256 * 1024]; // a 10,000-row zstd file of the e2e test is about this size
        new java.util.Random(1).nextBytes(data);
        int files = 6;
        uploadAll(data, files, "many/local"); // the emulator's default
        snowflake.cloudStyleStages(true);
        try {
            uploadAll(data, files, "many/cloud");
        } finally {
            snowflake.cloudStyleStages(false);
        }
        for (int i = 0; i < files; i++) {
            byte[] expected = variant(data, i);
            assertArrayEquals(expected, snowflake.stages().read("DB.UPLOADS.ST", "many/local/" + i + ".bin"), "local " + i);
            assertArrayEquals(expected, snowflake.stages().read("DB.UPLOADS.ST", "many/cloud/" + i + ".bin"), "cloud " + i);
        }
    }

    private static void uploadAll(byte[] data, int files, String folder) throws IOException {
        try (StageUploader uploader = StageUploader.jdbc(snowflake.account())) {
            for (int i = 0; i < files; i++) {
                uploader.upload("DB.UPLOADS.ST", folder + "/" + i + ".bin", variant(data, i));
            }
        }
    }

    /** {@code data} with its first byte set to {@code i}: each file differs, so a file written under another's name shows. */
    private static byte[] variant(byte[] data, int i) {
        byte[] copy = data.clone();
        copy[0] = (byte) i;
        return copy;
    }

    @Test
    void upload_withTheIngestSdksShadedDriverRegisteredFirst_stillGoesThroughTheRealDriver() throws Exception {
        Class.forName(SHADED_DRIVER); // registers itself, as it does on any class path holding the ingest SDK
        Class.forName(REAL_DRIVER);
        String url = "jdbc:snowflake://127.0.0.1:" + snowflake.port();
        List<Driver> real = new ArrayList<>();
        for (Driver d : DriverManager.drivers().toList()) {
            if (d.getClass().getName().equals(REAL_DRIVER)) {
                real.add(d);
                DriverManager.deregisterDriver(d);
            }
        }
        try {
            assertEquals(SHADED_DRIVER, DriverManager.getDriver(url).getClass().getName(),
                    "DriverManager would hand out the shaded driver for this URL");
            byte[] data = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
            try (StageUploader uploader = StageUploader.jdbc(snowflake.account())) {
                uploader.upload("DB.UPLOADS.ST", "shaded/first/0_0.json", data);
            }
            assertArrayEquals(data, snowflake.stages().read("DB.UPLOADS.ST", "shaded/first/0_0.json"));
            assertEquals("3.28.0", snowflake.jdbcLogins().get(snowflake.jdbcLogins().size() - 1).clientAppVersion(),
                    "the real driver signed in, not the shaded 3.25 copy");
        } finally {
            for (Driver d : real) {
                DriverManager.registerDriver(d);
            }
        }
    }

    @Test
    void properties_httpAccount_sslOffPlatformDetectionOffAndBothTimeouts() {
        JdbcStageUploader http = new JdbcStageUploader(snowflake.account(), Duration.ofSeconds(7));
        Properties p = http.properties();
        assertEquals("off", p.get("ssl"));
        assertEquals("true", p.get("disablePlatformDetection"));
        assertEquals("7", p.get("loginTimeout"));
        assertEquals("7000", p.get("networkTimeout"));
        assertEquals("7000", p.get("HTTP_CLIENT_CONNECTION_TIMEOUT"));
        assertEquals("7000", p.get("HTTP_CLIENT_SOCKET_TIMEOUT"));
        assertEquals("SNOWFLAKE_JWT", p.get("authenticator"));
        assertEquals("jdbc:snowflake://127.0.0.1:" + snowflake.port(), http.url());

        JdbcStageUploader https = new JdbcStageUploader(SnowflakeAccount.builder()
                .url("https://myorg-myaccount.snowflakecomputing.com").user("KSBRIDGE")
                .privateKey(snowflake.privateKeyPem()).build(), Duration.ofSeconds(60));
        Properties q = https.properties();
        assertFalse(q.containsKey("ssl"), "TLS stays on for an https account");
        assertEquals("true", q.get("disablePlatformDetection"));
        assertEquals("MYORG-MYACCOUNT", q.get("account"));
        assertEquals("jdbc:snowflake://myorg-myaccount.snowflakecomputing.com:443", https.url());
        String shown = https.toString();
        assertFalse(shown.contains("PRIVATE KEY") || shown.contains(snowflake.privateKeyPem().reveal().substring(40, 80)),
                shown);
    }

    @Test
    void jdbc_timeoutOutOfRange_isRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageUploader.jdbc(snowflake.account(), Duration.ofMillis(10)));
        assertEquals("timeout must be between 1 s and 1 h, was PT0.01S", e.getMessage());
    }

    /** Refused connections are bounded by the login timeout (a server that never answers: JdbcDriverNetworkIT). */
    @Test
    void upload_toAClosedLoopbackPort_failsWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertFailsWithin(account("http://127.0.0.1:" + closed), Duration.ofSeconds(3));
    }

    static void assertFailsWithin(SnowflakeAccount account, Duration timeout) {
        long started = System.nanoTime();
        try (StageUploader uploader = StageUploader.jdbc(account, timeout)) {
            IOException e = assertThrows(IOException.class, () -> uploader.upload("DB.UPLOADS.ST", "x/0_0.json", new byte[] {1}));
            assertTrue(e.getMessage().startsWith("PUT of x/0_0.json to @DB.UPLOADS.ST failed: "), e.getMessage());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(timeout.plusSeconds(5)) < 0, "failed after " + took + ", timeout " + timeout);
        System.out.printf("JDBC-DEAD-ENDPOINT: %s failed after %d ms (timeout %d ms)%n", account.url(), took.toMillis(),
                timeout.toMillis());
    }
}
