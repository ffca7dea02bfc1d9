package io.ksbridge.ingest.snowpipe;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import net.snowflake.client.jdbc.SnowflakeConnection;
import net.snowflake.client.jdbc.SnowflakeDriver;

/**
 * Uploads through the Snowflake JDBC driver's {@code uploadStream}, the driver's own {@code PUT}: what every user
 * with a real account runs, and what the tests run against the emulator in {@code ksbridge-testkit}.
 *
 * <p>The connection comes from {@code net.snowflake.client.jdbc.SnowflakeDriver} itself, never from
 * {@code DriverManager}: the ingest SDK's jar registers a shaded copy of the driver for the same URLs, and whichever
 * of the two {@code DriverManager} picks depends on the order of jars on the class path (the shaded one's connections
 * are not {@code SnowflakeConnection}s, so {@code uploadStream} cannot be reached through them).
 *
 * <p>Connection properties beyond the account's: {@code ssl=off} when the account URL is {@code http://} (the
 * driver otherwise speaks TLS to a plain-HTTP server and waits); {@code disablePlatformDetection=true} always (the
 * driver would otherwise probe cloud metadata addresses such as {@code 169.254.169.254} at its first login, for
 * telemetry only, costing seconds and sending traffic nobody asked for); {@code loginTimeout} and
 * {@code networkTimeout}, {@code HTTP_CLIENT_CONNECTION_TIMEOUT} and {@code HTTP_CLIENT_SOCKET_TIMEOUT} from the
 * timeout, so an endpoint that refuses or never answers is an error, not a hang.
 *
 * <p>Thread-safe: one shared connection, opened at first use and again after a failed upload.
 */
final class JdbcStageUploader implements StageUploader {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final SnowflakeAccount account;
    private final Duration timeout;
    private Connection connection;

    JdbcStageUploader(SnowflakeAccount account, Duration timeout) {
        this.account = Objects.requireNonNull(account, "account must not be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("timeout must be between 1 s and 1 h, was " + timeout);
        }
    }

    @Override
    public void upload(String stage, String path, byte[] data) throws IOException {
        int slash = path.lastIndexOf('/');
        String prefix = slash < 0 ? "" : path.substring(0, slash);
        String fileName = path.substring(slash + 1);
        try {
            connection().unwrap(SnowflakeConnection.class)
                    .uploadStream("@" + stage, prefix, new ByteArrayInputStream(data), fileName, false);
        } catch (SQLException e) {
            synchronized (this) {
                closeQuietly();
            }
            if (refusedLogin(e)) {
                throw new IngestException("the Snowflake JDBC driver could not sign in to stage " + path + " on @" + stage
                        + ": Snowflake refused the key-pair JWT of user " + account.user() + " in account "
                        + account.accountName() + ": " + e.getMessage() + " (code " + e.getErrorCode() + "). Check that the"
                        + " user's RSA_PUBLIC_KEY matches the configured private key (its fingerprint is "
                        + account.publicKeyFingerprint() + "; see DESC USER " + account.user() + "), that the account name"
                        + " is right, and that this machine's clock is correct.", false, e);
            }
            throw new IOException("PUT of " + path + " to @" + stage + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A refused sign-in (Snowflake's 3901xx login codes: 390144 a JWT it does not accept, 390100 an unknown user, ...)
     * is not worth retrying; an expired session or token (390111, 390112, 390114) the driver renews itself.
     */
    static boolean refusedLogin(SQLException e) {
        int code = e.getErrorCode();
        return code >= 390100 && code <= 390199 && code != 390111 && code != 390112 && code != 390114;
    }

    /** The JDBC URL: {@code jdbc:snowflake://host:port}. */
    String url() {
        return "jdbc:snowflake://" + account.host() + ":" + account.port();
    }

    /** The driver's connection properties (the private key among them: never print them). */
    Properties properties() {
        Properties p = new Properties();
        p.put("user", account.user());
        p.put("privateKey", account.privateKey());
        p.put("authenticator", "SNOWFLAKE_JWT");
        account.role().ifPresent(r -> p.put("role", r));
        account.warehouse().ifPresent(w -> p.put("warehouse", w));
        p.put("account", account.accountName());
        if ("http".equalsIgnoreCase(account.scheme())) {
            p.put("ssl", "off"); // the account said http:// (the emulator): plain HTTP, not TLS to a plain server
        }
        p.put("disablePlatformDetection", "true");
        p.put("loginTimeout", Long.toString(Math.max(1, timeout.toSeconds())));
        p.put("networkTimeout", Long.toString(timeout.toMillis()));
        // the HTTP client's own bounds (default 60 s to connect, 300 s per read, whatever the two above say): a
        // server that accepts the connection and never answers would otherwise hold the login for minutes
        p.put("HTTP_CLIENT_CONNECTION_TIMEOUT", Long.toString(timeout.toMillis()));
        p.put("HTTP_CLIENT_SOCKET_TIMEOUT", Long.toString(timeout.toMillis()));
        return p;
    }

    private synchronized Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Connection c = new SnowflakeDriver().connect(url(), properties());
            if (c == null) {
                throw new SQLException("the Snowflake JDBC driver does not accept " + url());
            }
            connection = c;
        }
        return connection;
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being discarded
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    @Override
    public String toString() {
        return "JdbcStageUploader{" + account.url() + ", timeout=" + timeout + "}";
    }
}
