package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.JdbcLogin;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import net.snowflake.client.jdbc.SnowflakeDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What the JDBC driver contacts, and how long a dead endpoint holds it. Runs in a JVM of its own (this module's
 * failsafe execution {@code jdbc-network}), for two reasons:
 * <ul>
 *   <li>the JVM starts with {@code -Djdk.net.hosts.file} naming only {@code localhost}, so a lookup of any other name
 *       (the driver's GCP probe asks for {@code metadata.google.internal}) fails at once and no DNS query leaves;</li>
 *   <li>the driver builds its HTTP client once per JVM with the first connection's socket timeout; here every
 *       connection uses {@link #TIMEOUT}, so the dead-endpoint bounds are this uploader's, not a neighbour test's.</li>
 * </ul>
 * The guard is a JVM-wide {@link ProxySelector}: every socket a client opens with {@code new Socket()} (the driver's
 * HTTP client, the AWS SDK inside it, {@code HttpURLConnection}) asks it where to go. It records each destination;
 * loopback ones go direct, any other goes to a SOCKS "proxy" on a closed loopback port, so it fails at once and
 * nothing leaves the machine. The control test proves the guard is in the path: with platform detection on, the same
 * login is caught trying {@code 169.254.169.254}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JdbcDriverNetworkIT {
    static final Duration TIMEOUT = Duration.ofSeconds(4);
    static SnowflakeEmulator snowflake;
    static LoopbackOnly guard;
    static ProxySelector previous;

    /** Records every destination; sends off-loopback ones to a closed loopback port. */
    static final class LoopbackOnly extends ProxySelector {
        final List<String> loopback = new CopyOnWriteArrayList<>();
        final List<String> offLoopback = new CopyOnWriteArrayList<>();
        final Proxy nowhere;

        LoopbackOnly(int closedPort) {
            this.nowhere = new Proxy(Proxy.Type.SOCKS, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
        }

        @Override
        public List<Proxy> select(URI uri) {
            String host = uri.getHost();
            if (isLoopback(host)) {
                loopback.add(uri.toString());
                return List.of(Proxy.NO_PROXY);
            }
            offLoopback.add(uri.toString());
            return List.of(nowhere);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        }

        static boolean isLoopback(String host) {
            if (host == null) {
                return false;
            }
            String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            if (h.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                return false; // a name: not resolved here
            }
            try {
                return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no lookup
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    @BeforeAll
    static void start() throws IOException {
        assertNotNull(System.getProperty("jdk.net.hosts.file"), "run through failsafe's jdbc-network execution"
                + " (-Djdk.net.hosts.file), so that no DNS query leaves the machine");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            guard = new LoopbackOnly(s.getLocalPort());
        }
        previous = ProxySelector.getDefault();
        ProxySelector.setDefault(guard);
        snowflake = SnowflakeEmulator.start();
        try (SqlApiClient sql = SqlApiClient.create(snowflake.account())) {
            sql.execute("CREATE STAGE IF NOT EXISTS DB.NET.ST");
        }
    }

    @AfterAll
    static void stop() {
        ProxySelector.setDefault(previous);
        if (snowflake != null) {
            snowflake.close();
        }
    }

    private static SnowflakeAccount deadAccount(int port) {
        return SnowflakeAccount.builder().url("http://127.0.0.1:" + port).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .privateKey(snowflake.privateKeyPem()).build();
    }

    @Test
    @Order(1)
    void guard_socketToAnOffMachineAddress_isRecordedAndFailsAtOnce() {
        long started = System.nanoTime();
        try (Socket s = new Socket()) {
            // TEST-NET-1, reserved for documentation: nothing answers there even if the guard let it through
            IOException e = assertThrows(IOException.class, () -> s.connect(new InetSocketAddress("192.0.2.1", 80), 10_000));
            assertTrue(e.getMessage().contains("SOCKS"), e.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_000, "failed at once");
        assertEquals(List.of("socket://192.0.2.1:80"), guard.offLoopback);
        guard.offLoopback.clear();
    }

    @Test
    @Order(2)
    void uploader_loginPutAndClose_contactOnlyLoopback() throws Exception {
        int loopbackBefore = guard.loopback.size();
        byte[] data = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        try (StageUploader uploader = StageUploader.jdbc(snowflake.account(), TIMEOUT)) {
            uploader.upload("DB.NET.ST", "p/0_0.json", data);
        }
        assertArrayEquals(data, snowflake.stages().read("DB.NET.ST", "p/0_0.json"));
        assertEquals(List.of(), guard.offLoopback, "the driver tried to reach addresses off this machine");
        assertTrue(guard.loopback.size() > loopbackBefore, "the guard saw the driver's own connections: " + guard.loopback);
        JdbcLogin login = snowflake.jdbcLogins().get(snowflake.jdbcLogins().size() - 1);
        assertFalse(login.clientEnvironment().has("PLATFORM"), "platform detection ran: " + login.clientEnvironment());
    }

    @Test
    @Order(3)
    void control_sameLoginWithPlatformDetectionOn_isCaughtProbingCloudMetadata() throws Exception {
        JdbcStageUploader uploader = new JdbcStageUploader(snowflake.account(), TIMEOUT);
        Properties p = uploader.properties();
        p.put("disablePlatformDetection", "false"); // the one difference from the uploader's properties
        try (Connection c = new SnowflakeDriver().connect(uploader.url(), p)) {
            assertFalse(c.isClosed());
        }
        assertTrue(guard.offLoopback.stream().anyMatch(u -> u.contains("169.254.169.254")),
                "the guard sees what platform detection does: " + guard.offLoopback);
        JdbcLogin login = snowflake.jdbcLogins().get(snowflake.jdbcLogins().size() - 1);
        assertTrue(login.clientEnvironment().has("PLATFORM"), "with detection on, the login says: " + login.clientEnvironment());
        System.out.printf("JDBC-NETWORK-GUARD: with platform detection on the driver tried %s; the uploader's login tried"
                + " none%n", guard.offLoopback);
        guard.offLoopback.clear();
    }

    @Test
    @Order(4)
    void upload_toAClosedLoopbackPort_failsWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertFailsWithin(deadAccount(closed));
    }

    @Test
    @Order(5)
    void upload_toAnEndpointThatAcceptsAndNeverAnswers_failsWithinTheTimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (!silent.isClosed()) {
                        Socket s = silent.accept(); // read nothing, answer nothing
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    }
                } catch (IOException closedAtTheEnd) {
                    // the test is over
                }
            }, "silent-endpoint");
            acceptor.setDaemon(true);
            acceptor.start();
            assertFailsWithin(deadAccount(silent.getLocalPort()));
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
        assertEquals(List.of(), guard.offLoopback);
    }

    private static void assertFailsWithin(SnowflakeAccount account) {
        long started = System.nanoTime();
        try (StageUploader uploader = StageUploader.jdbc(account, TIMEOUT)) {
            IOException e = assertThrows(IOException.class, () -> uploader.upload("DB.NET.ST", "x/0_0.json", new byte[] {1}));
            assertTrue(e.getMessage().startsWith("PUT of x/0_0.json to @DB.NET.ST failed: "), e.getMessage());
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        // the driver checks its budget after each attempt: one attempt past the timeout at most
        assertTrue(took.compareTo(TIMEOUT.multipliedBy(2).plusSeconds(3)) < 0, "failed after " + took + ", timeout " + TIMEOUT);
        System.out.printf("JDBC-DEAD-ENDPOINT: %s failed after %d ms (timeout %d ms)%n", account.url(), took.toMillis(),
                TIMEOUT.toMillis());
    }
}
