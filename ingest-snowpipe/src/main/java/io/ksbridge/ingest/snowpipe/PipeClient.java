package io.ksbridge.ingest.snowpipe;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import net.snowflake.ingest.SimpleIngestManager;
import net.snowflake.ingest.connection.HistoryRangeResponse;
import net.snowflake.ingest.connection.HistoryResponse;
import net.snowflake.ingest.connection.IngestResponse;
import net.snowflake.ingest.connection.IngestResponseException;
import net.snowflake.ingest.utils.BackOffException;
import net.snowflake.ingest.utils.StagedFileWrapper;

/**
 * One pipe's Snowpipe REST client: {@code SimpleIngestManager} from {@code snowflake-ingest-sdk}, with its
 * exceptions turned into {@link IngestException}s that say whether a retry can help and what to fix. Thread-safe.
 */
final class PipeClient implements AutoCloseable {
    private final SnowflakeAccount account;
    private final String pipe;
    private final SimpleIngestManager manager;
    private String beginMark;

    PipeClient(SnowflakeAccount account, String pipe) {
        this.account = account;
        this.pipe = pipe;
        try {
            this.manager = new SimpleIngestManager(account.accountName(), account.user(), pipe, account.privateKey(),
                    account.scheme(), account.host(), account.port());
        } catch (GeneralSecurityException e) {
            throw new IngestException("the private key cannot be used for Snowpipe: " + e.getClass().getSimpleName(), false);
        }
    }

    String pipe() {
        return pipe;
    }

    /** Submits files; returns once Snowpipe accepted them. */
    void insertFiles(List<String> paths, List<Long> sizes) {
        List<StagedFileWrapper> files = new java.util.ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            files.add(new StagedFileWrapper(paths.get(i), sizes == null ? null : sizes.get(i)));
        }
        try {
            IngestResponse response = manager.ingestFiles(files, UUID.randomUUID());
            if (response == null || !"SUCCESS".equals(response.getResponseCode())) {
                throw new IngestException("Snowpipe did not accept " + paths + " for pipe " + pipe + ": response code "
                        + (response == null ? null : response.getResponseCode()), true);
            }
        } catch (Exception e) {
            throw classify("insertFiles for " + paths.size() + " file(s)", e);
        }
    }

    /** The load events since the last call ({@code insertReport} with the pipe's begin mark). */
    synchronized List<HistoryResponse.FileEntry> insertReport() {
        try {
            HistoryResponse response = manager.getHistory(UUID.randomUUID(), null, beginMark);
            if (response.getNextBeginMark() != null) {
                beginMark = response.getNextBeginMark();
            }
            return response.files == null ? List.of() : response.files;
        } catch (Exception e) {
            throw classify("insertReport", e);
        }
    }

    /**
     * Completed loads whose last insert falls in [from, to) ({@code loadHistoryScan}). Snowflake answers at most
     * 10,000 files per call and says so with {@code completeResult=false}; the scan then goes on from the last
     * returned time.
     */
    List<HistoryResponse.FileEntry> loadHistoryScan(Instant from, Instant to) {
        List<HistoryResponse.FileEntry> all = new java.util.ArrayList<>();
        String start = iso(from);
        try {
            for (int page = 0; page < 100; page++) {
                HistoryRangeResponse response = manager.getHistoryRange(UUID.randomUUID(), start, iso(to));
                if (response.files != null) {
                    all.addAll(response.files);
                }
                String end = response.getRangeEndTime();
                if (response.isCompleteResult() || end == null || end.equals(start)) {
                    break;
                }
                start = end;
            }
            return all;
        } catch (Exception e) {
            throw classify("loadHistoryScan", e);
        }
    }

    private static String iso(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    IngestException classify(String what, Exception e) {
        if (e instanceof IngestException ie) {
            return ie;
        }
        String where = "Snowpipe " + what + " on pipe " + pipe;
        if (e instanceof BackOffException) {
            return new IngestException(where + " was throttled (HTTP 503); retrying later", true, e);
        }
        if (e instanceof SecurityException) {
            return new IngestException(where + " was refused: Snowflake did not accept the key-pair JWT of user " + account.user()
                    + " in account " + account.accountName() + " (HTTP 401). Check that the user's RSA_PUBLIC_KEY matches the"
                    + " configured private key (fingerprint " + account.publicKeyFingerprint() + "), that the account name is"
                    + " right, and that this machine's clock is correct.", false, e);
        }
        if (e instanceof IngestResponseException ire) {
            int status = ire.getErrorCode();
            String body = ire.getErrorBody() == null ? "" : ": " + ire.getErrorBody().getMessage();
            if (status == 401) {
                return new IngestException(where + " was refused (HTTP 401" + body + "). Check the user's RSA_PUBLIC_KEY (fingerprint "
                        + account.publicKeyFingerprint() + ").", false, e);
            }
            if (status == 403 || status == 404) {
                return new IngestException(where + " failed (HTTP " + status + body + "). The pipe must exist and the role"
                        + account.role().map(r -> " " + r).orElse("") + " needs OPERATE and MONITOR on it (GRANT OPERATE, MONITOR"
                        + " ON PIPE " + pipe + " TO ROLE ...).", false, e);
            }
            boolean transientStatus = status == 408 || status == 429 || status >= 500;
            return new IngestException(where + " failed (HTTP " + status + body + ")", transientStatus, e);
        }
        if (e instanceof IOException) {
            return new IngestException(where + " could not reach Snowflake at " + account.url() + ": " + e, true, e);
        }
        if (e instanceof URISyntaxException) {
            return new IngestException(where + ": invalid request URI (" + e.getMessage() + ")", false, e);
        }
        if (e.getCause() instanceof IOException io) {
            return new IngestException(where + " could not reach Snowflake at " + account.url() + ": " + io, true, e);
        }
        // classified by type: what is not a known transient failure stops the bridge instead of retrying unseen
        return new IngestException(where + " failed unexpectedly (" + e + "); not retried", false, e);
    }

    @Override
    public void close() {
        manager.close();
    }
}
