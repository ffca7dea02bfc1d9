package io.ksbridge.ingest.streaming;

import io.ksbridge.IngestException;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.util.Locale;

/** Sorts the SDK's failures into retriable and fatal ones, with messages that say what to fix. Stateless. */
final class SdkErrors {
    private SdkErrors() {
    }

    static IngestException classify(String what, Throwable e, SnowflakeAccount account) {
        if (e instanceof IngestException ie) {
            return ie;
        }
        String text = describe(e);
        String lower = text.toLowerCase(Locale.ROOT);
        if (account.authentication() == SnowflakeAccount.Authentication.OAUTH && (lower.contains("oauth")
                || lower.contains("401") || lower.contains("unauthorized") || lower.contains("token") || e instanceof SecurityException)) {
            return new IngestException(what + ": Snowflake or the OAuth token endpoint refused user " + account.user()
                    + " in account " + account.accountName() + " (" + text + "). Check the OAuth client id and secret and"
                    + " the refresh token (it may have expired or been revoked), the token endpoint, and that the security"
                    + " integration lets the user and role sign in.", false, e);
        }
        if (lower.contains("jwt") || lower.contains("401") || lower.contains("unauthorized") || e instanceof SecurityException) {
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
        return new IngestException(what + ": " + text, true, e);
    }

    /** The message of e and of its causes, without repeating. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        int depth = 0;
        while (t != null && depth++ < 4) {
            String m = t.getMessage();
            if (m != null && sb.indexOf(m) < 0) {
                if (sb.length() > 0) {
                    sb.append(": ");
                }
                sb.append(m);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }
}
