package io.ksbridge.ingest.streaminghp;

import com.snowflake.ingest.streaming.SFException;
import io.ksbridge.IngestException;
import io.ksbridge.internal.lane.Causes;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Sorts the high-performance SDK's failures into retriable and fatal ones by their type: the SDK's error code name
 * and HTTP status ({@link SFException#getErrorCodeName()}, {@link SFException#getHttpStatusCode()}), an I/O failure or
 * our own deadline underneath, or anything else, which is fatal (the bridge stops rather than retry what it does not
 * understand). Messages say what to fix. Stateless.
 */
final class SdkErrors {
    /** The channel handle is gone or must be reopened: reopening it and writing again fixes it. */
    private static final Set<String> REOPEN = Set.of("InvalidChannelError", "ChannelNotFound", "ClosedChannelError", "ChannelAlreadyExists",
            "CLOSED_CHANNEL_ERROR", "INVALID_CHANNEL_ERROR");
    /** A request failed on the way (the SDK's own retries gave up, or the client is closing). */
    private static final Set<String> TRANSIENT = Set.of("HttpClientRetryableError", "RequestSendFailed",
            "ClosedClientError", "CLOSED_CLIENT_ERROR", "HttpRetryableError", "Timeout");
    /** The key or the token is refused. */
    private static final Set<String> AUTH = Set.of("AuthTokenError", "TOKEN_CHECKER_ERROR");

    private SdkErrors() {
    }

    static IngestException classify(String what, Throwable e, SnowflakeAccount account) {
        if (e instanceof IngestException ie) {
            return ie;
        }
        String text = describe(e);
        SFException sf = find(e, SFException.class);
        if (sf != null) {
            String code = String.valueOf(sf.getErrorCodeName());
            int status = sf.getHttpStatusCode();
            String lower = text.toLowerCase(Locale.ROOT);
            if (AUTH.contains(code) || status == 401 || lower.contains("390144") || lower.contains("authentication error")) {
                return new IngestException(what + ": Snowflake refused the key-pair JWT of user " + account.user()
                        + " in account " + account.accountName() + " (" + text + "). Check that the user's RSA_PUBLIC_KEY"
                        + " matches the configured private key (its fingerprint is " + account.publicKeyFingerprint()
                        + "; see DESC USER " + account.user() + "), that the account name is right, and that this"
                        + " machine's clock is correct.", false, e);
            }
            if (status == 403 || lower.contains("does_not_exist_or_not_authorized")
                    || lower.contains("does not exist or not authorized")) {
                return new IngestException(what + ": " + text + ". Check that the pipe exists (the table's default pipe"
                        + " <TABLE>-STREAMING exists once the table does), and grant the role "
                        + account.role().orElse("(the user's default)") + " USAGE on the database and schema, OPERATE and"
                        + " MONITOR on the pipe, and INSERT on the table.", false, e);
            }
            if (REOPEN.contains(code) || TRANSIENT.contains(code) || status == 429 || status >= 500
                    || status == 409) {
                return new IngestException(what + ": " + text, true, e);
            }
            return new IngestException(what + ": " + text + " (Snowpipe Streaming SDK error " + code
                    + (status > 0 ? ", HTTP " + status : "") + ", not one that a retry fixes)", false, e);
        }
        if (find(e, TimeoutException.class) != null || find(e, IOException.class) != null) {
            return new IngestException(what + ": " + text, true, e);
        }
        return new IngestException(what + ": unexpected " + e.getClass().getName() + " from the Snowpipe Streaming SDK: "
                + text + " (not retried: the bridge stops rather than retry what it does not understand)", false, e);
    }

    /** True when the failure means this channel handle is invalid (fenced, dropped, refused data). */
    static boolean invalidChannel(Throwable e) {
        SFException sf = find(e, SFException.class);
        return sf != null && REOPEN.contains(String.valueOf(sf.getErrorCodeName()));
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        return Causes.find(e, type);
    }

    /** The message of e and of its causes, without repeating, cut to 600 characters (the SDK's are long). */
    static String describe(Throwable e) {
        return Causes.describe(e, 600);
    }
}
