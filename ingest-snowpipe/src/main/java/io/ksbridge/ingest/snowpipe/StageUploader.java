package io.ksbridge.ingest.snowpipe;

import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Puts a file on an internal stage: the one step Snowflake's REST APIs cannot do (the SQL API cannot run
 * {@code PUT}). {@link SnowpipeBackend} picks one by itself: when Snowflake describes the stage as a local folder
 * ({@code LOCAL_FS}, which only the emulator in {@code ksbridge-testkit} does) it writes into that folder, otherwise
 * it uploads through the Snowflake JDBC driver ({@link #jdbc}). Set one explicitly with
 * {@link SnowpipeBackend.Builder#stageUploader} to override that choice.
 *
 * <p>Implementations must be thread-safe (several uploads run at once, on backend threads) and must make a file
 * appear whole or not at all; uploading the same path again with the same bytes must be harmless.
 */
public interface StageUploader extends AutoCloseable {

    /**
     * Uploads one file.
     *
     * @param stage the stage, fully qualified ({@code DB.SCHEMA.STAGE}), never null
     * @param path  the path inside the stage ({@code connector/TABLE/123/0_999.json.gz}), never null
     * @param data  the file's bytes, already compressed; never null, not to be modified
     * @throws IOException when the upload failed; the backend retries the batch
     */
    void upload(String stage, String path, byte[] data) throws IOException;

    /** Releases connections. Idempotent. */
    @Override
    default void close() {
    }

    /**
     * An uploader writing every stage's files under {@code root/<stage>/}: for a stage that is a folder you control.
     *
     * @param root the folder, never null
     */
    static StageUploader localDirectory(Path root) {
        LocalStageUploader uploader = new LocalStageUploader();
        uploader.defaultRoot(root);
        return uploader;
    }

    /**
     * An uploader through the Snowflake JDBC driver's {@code uploadStream} (key-pair authentication with the same
     * account). It opens one connection at first use.
     *
     * @param account the account, never null
     */
    static StageUploader jdbc(SnowflakeAccount account) {
        return new JdbcStageUploader(account);
    }
}
