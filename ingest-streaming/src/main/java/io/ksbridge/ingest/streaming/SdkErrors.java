package io.ksbridge.ingest.streaming;

import io.ksbridge.IngestException;
import io.ksbridge.internal.lane.Causes;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import net.snowflake.ingest.utils.ErrorCode;
import net.snowflake.ingest.utils.SFException;

/**
 * Sorts the SDK's failures into retriable and fatal ones by their type: the SDK's own error code, an I/O failure
 * underneath, or anything else, which is fatal (the bridge stops with it rather than retry what it does not
 * understand). Messages say what to fix. Stateless.
 */
final class SdkErrors {
    /** A request to Snowflake failed, or a channel must be reopened: the same write may succeed later. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.INTERNAL_ERROR, ErrorCode.REGISTER_BLOB_FAILURE,
            ErrorCode.OPEN_CHANNEL_FAILURE, ErrorCode.CLIENT_CONFIGURE_FAILURE, ErrorCode.BLOB_UPLOAD_FAILURE,
            ErrorCode.INVALID_CHANNEL, ErrorCode.CLOSED_CHANNEL, ErrorCode.IO_ERROR, ErrorCode.UNABLE_TO_CONNECT_TO_STAGE,
            ErrorCode.CHANNEL_STATUS_FAILURE, ErrorCode.CHANNELS_WITH_UNCOMMITTED_ROWS, ErrorCode.CHANNEL_STATUS_INVALID,
            ErrorCode.OAUTH_REFRESH_TOKEN_ERROR, ErrorCode.GENERATE_PRESIGNED_URLS_FAILURE,
            ErrorCode.REFRESH_TABLE_INFORMATION_FAILURE, ErrorCode.DROP_CHANNEL_FAILURE, ErrorCode.CLOSED_CLIENT,
            ErrorCode.RESOURCE_CLEANUP_FAILURE);
    /** The configured key cannot be used. */
    private static final Set<ErrorCode> KEY = EnumSet.of(ErrorCode.INVALID_PRIVATE_KEY, ErrorCode.INVALID_ENCRYPTED_KEY,
            ErrorCode.KEYPAIR_CREATION_FAILURE);
    /** Codes whose server answer may say the user is not allowed: then fatal, with what to grant or fix. */
    private static final Set<ErrorCode> SERVER_ANSWERS = EnumSet.of(ErrorCode.OPEN_CHANNEL_FAILURE,
            ErrorCode.OAUTH_REFRESH_TOKEN_ERROR,
            ErrorCode.CLIENT_CONFIGURE_FAILURE, ErrorCode.REGISTER_BLOB_FAILURE, ErrorCode.CHANNEL_STATUS_FAILURE,
            ErrorCode.INTERNAL_ERROR, ErrorCode.GENERATE_PRESIGNED_URLS_FAILURE,
            ErrorCode.REFRESH_TABLE_INFORMATION_FAILURE);

    private SdkErrors() {
    }

    static IngestException classify(String what, Throwable e, SnowflakeAccount account) {
        if (e instanceof IngestException ie) {
            return ie;
        }
        String text = describe(e);
        SFException sf = find(e, SFException.class);
        if (sf != null) {
            ErrorCode code = code(sf);
            if (code != null && KEY.contains(code)) {
                return new IngestException(what + ": the SDK cannot use the configured private key (" + text + "); check"
                        + " the key and its passphrase", false, e);
            }
            if (code != null && SERVER_ANSWERS.contains(code)) {
                IngestException refused = refusal(what, text, e, account);
                if (refused != null) {
                    return refused;
                }
            }
            if (code != null && TRANSIENT.contains(code)) {
                return new IngestException(what + ": " + text, true, e);
            }
            return new IngestException(what + ": " + text + " (Snowpipe Streaming SDK error "
                    + (code == null ? sf.getVendorCode() : code.name()) + ", not one that a retry fixes)", false, e);
        }
        if (find(e, GeneralSecurityException.class) != null || e instanceof SecurityException) {
            IngestException refused = refusal(what, text, e, account);
            return refused != null ? refused
                    : new IngestException(what + ": the request could not be signed: " + text, false, e);
        }
        if (find(e, IOException.class) != null) {
            return new IngestException(what + ": " + text, true, e); // the network: a retry may get through
        }
        return new IngestException(what + ": unexpected " + e.getClass().getName() + " from the Snowpipe Streaming SDK: "
                + text + " (not retried: the bridge stops rather than retry what it does not understand)", false, e);
    }

    /** Snowflake's answer said the key or the grants are wrong: fatal, saying what to fix; else null. */
    private static IngestException refusal(String what, String text, Throwable e, SnowflakeAccount account) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (account.authentication() == SnowflakeAccount.Authentication.OAUTH && (lower.contains("401")
                || lower.contains("unauthorized") || lower.contains("invalid_grant") || lower.contains("invalid_client")
                || lower.contains("390303") || lower.contains("390318") || e instanceof SecurityException)) {
            return new IngestException(what + ": Snowflake or the OAuth token endpoint refused user " + account.user()
                    + " in account " + account.accountName() + " (" + text + "). Check the OAuth client id and secret and"
                    + " the refresh token (it may have expired or been revoked), the token endpoint, and that the security"
                    + " integration lets the user and role sign in.", false, e);
        }
        if (account.authentication() != SnowflakeAccount.Authentication.OAUTH && (lower.contains("jwt")
                || lower.contains("401") || lower.contains("unauthorized") || e instanceof SecurityException)) {
            return new IngestException(what + ": Snowflake refused the key-pair JWT of user " + account.user() + " in account "
                    + account.accountName() + " (" + text + "). Check that the user's RSA_PUBLIC_KEY matches the configured"
                    + " private key (its fingerprint is " + account.publicKeyFingerprint() + "; see DESC USER " + account.user()
                    + "), that the account name is right, and that this machine's clock is correct.", false, e);
        }
        if (lower.contains("does not exist or is not authorized") || lower.contains("not authorized")) {
            return new IngestException(what + ": " + text + ". Grant the role " + account.role().orElse("(the user's default)")
                    + " USAGE on the database and schema and INSERT (or OWNERSHIP) on the table, or create the table"
                    + " yourself.", false, e);
        }
        return null;
    }

    private static ErrorCode code(SFException e) {
        String vendor = e.getVendorCode();
        for (ErrorCode c : ErrorCode.values()) {
            if (c.getMessageCode().equals(vendor)) {
                return c;
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        return Causes.find(e, type);
    }

    /** The message of e and of its causes, without repeating. */
    static String describe(Throwable e) {
        return Causes.describe(e, Integer.MAX_VALUE);
    }
}
