package io.ksbridge.snowflake;

import io.ksbridge.IngestException;

/**
 * Snowflake answered a statement with an error: a SQL error (HTTP 422), an authentication or privilege error
 * (401, 403), or a transient fault that outlasted the retries (429, 5xx, timeouts: {@link #isRetriable()}).
 * The message names the statement and Snowflake's code, SQL state and text; it never contains a secret.
 */
public class SnowflakeSqlException extends IngestException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String code;
    private final String sqlState;
    private final String statementHandle;

    /**
     * @param message         what failed and what to fix, never null
     * @param retriable       whether the same statement may succeed later
     * @param httpStatus      the HTTP status, or 0 when none was received (I/O failure)
     * @param code            Snowflake's error code, may be null
     * @param sqlState        the SQL state, may be null
     * @param statementHandle the statement handle, may be null
     * @param cause           the underlying failure, may be null
     */
    public SnowflakeSqlException(String message, boolean retriable, int httpStatus, String code, String sqlState,
                                 String statementHandle, Throwable cause) {
        super(message, retriable, cause);
        this.httpStatus = httpStatus;
        this.code = code;
        this.sqlState = sqlState;
        this.statementHandle = statementHandle;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Snowflake's error code (for example {@code 002003} for a missing object), or null. */
    public String code() {
        return code;
    }

    /** The SQL state (for example {@code 42S02}), or null. */
    public String sqlState() {
        return sqlState;
    }

    /** The statement handle, or null. */
    public String statementHandle() {
        return statementHandle;
    }
}
