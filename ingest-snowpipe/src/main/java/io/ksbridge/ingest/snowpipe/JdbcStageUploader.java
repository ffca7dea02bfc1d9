package io.ksbridge.ingest.snowpipe;

import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Uploads through the Snowflake JDBC driver's {@code uploadStream}, the driver's own {@code PUT}. Kept thin on
 * purpose: it is exercised only by the live suite. Thread-safe (one shared connection, uploads serialised by the
 * driver).
 */
final class JdbcStageUploader implements StageUploader {
    private final SnowflakeAccount account;
    private Connection connection;

    JdbcStageUploader(SnowflakeAccount account) {
        this.account = account;
    }

    @Override
    public void upload(String stage, String path, byte[] data) throws IOException {
        int slash = path.lastIndexOf('/');
        String prefix = slash < 0 ? "" : path.substring(0, slash);
        String fileName = path.substring(slash + 1);
        try {
            connection().unwrap(net.snowflake.client.jdbc.SnowflakeConnection.class)
                    .uploadStream("@" + stage, prefix, new ByteArrayInputStream(data), fileName, false);
        } catch (SQLException e) {
            synchronized (this) {
                closeQuietly();
            }
            throw new IOException("PUT of " + path + " to @" + stage + " failed: " + e.getMessage(), e);
        }
    }

    private synchronized Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            Properties p = new Properties();
            p.put("user", account.user());
            p.put("privateKey", account.privateKey());
            p.put("authenticator", "SNOWFLAKE_JWT");
            account.role().ifPresent(r -> p.put("role", r));
            account.warehouse().ifPresent(w -> p.put("warehouse", w));
            p.put("account", account.accountName());
            connection = DriverManager.getConnection("jdbc:snowflake://" + account.host() + ":" + account.port(), p);
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
        return "JdbcStageUploader{" + account.url() + "}";
    }
}
