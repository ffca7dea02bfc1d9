package io.ksbridge.ingest.snowpipe;

import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Puts a file on an internal stage: the one step Snowflake's REST APIs cannot do (the SQL API cannot run
 * {@code PUT}). {@link SnowpipeBackend} uploads through the Snowflake JDBC driver ({@link #jdbc}) unless
 * {@link SnowpipeBackend.Builder#stageUploader} sets another; it never picks one from what the server answers (a
 * local folder is used only when {@link #localDirectory} is configured explicitly).
 *
 * <p>Implementations must be thread-safe (several uploads run at once, on backend threads) and must make a file
 * appear whole or not at all; uploading the same path again with the same bytes must be harmless.
 */
public interface StageUploader extends AutoCloseable {

    /**
     * Uploads one file.
     *
     * @param stage the stage, fully qualified, each part double-quoted ({@code "DB"."SCHEMA"."STAGE"}), never null
     * @param path  the path inside the stage ({@code connector/TABLE/123/0_999.json.gz}), never null
     * @param data  the file's bytes, already compressed; never null, not to be modified
     * @throws IOException when the upload failed; the backend retries the batch
     * @throws io.ksbridge.IngestException not retriable, saying what to fix, when retrying cannot help (Snowflake
     *                                     refused the credentials); the backend fails the batch
     */
    void upload(String stage, String path, byte[] data) throws IOException;

    /** Releases connections. Idempotent. */
    @Override
    default void close() {
    }

    /**
     * An uploader writing every stage's files under {@code root/<stage>/}: for a stage that is a folder you control
     * (nothing reaches Snowflake: only for a setup that reads the folder itself).
     *
     * @param root the folder, never null
     */
    static StageUploader localDirectory(Path root) {
        return new LocalStageUploader(root);
    }

    /**
     * An uploader through the Snowflake JDBC driver's {@code uploadStream} (key-pair authentication with the same
     * account), with a 60 s timeout: {@code jdbc(account, Duration.ofSeconds(60))}.
     *
     * @param account the account, never null
     */
    static StageUploader jdbc(SnowflakeAccount account) {
        return new JdbcStageUploader(account, JdbcStageUploader.DEFAULT_TIMEOUT);
    }

    /**
     * An uploader through the Snowflake JDBC driver's {@code uploadStream} (key-pair authentication with the same
     * account). It opens one connection at first use, through the driver's class
     * ({@code net.snowflake.client.jdbc.SnowflakeDriver}) rather than {@code DriverManager}, so the ingest SDK's
     * shaded copy of the driver is never picked; with {@code ssl=off} when the account URL is {@code http://}, and
     * with the driver's cloud platform detection off (it probes cloud metadata addresses otherwise).
     *
     * @param account the account, never null
     * @param timeout bounds the login ({@code loginTimeout}, whole seconds) and each request to Snowflake
     *                ({@code networkTimeout}): an endpoint that refuses or never answers fails the upload, which the
     *                backend retries; 1 s to 1 h
     * @throws IllegalArgumentException when the timeout is out of range
     */
    static StageUploader jdbc(SnowflakeAccount account, Duration timeout) {
        return new JdbcStageUploader(account, timeout);
    }
}
