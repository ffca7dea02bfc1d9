package io.ksbridge.snowflake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ksbridge.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for Snowflake's SQL REST API ({@code POST /api/v2/statements}), signed with the account's
 * key-pair JWT ({@code X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT}) or, for an account built with
 * {@link SnowflakeAccount.Builder#oauth}, its OAuth access token ({@code OAUTH}); a 401 on an OAuth token makes the
 * client ask the provider for a new one ({@link AccessTokenProvider#refresh}) and send the request once more. The backends use it for DDL ({@code CREATE ... IF NOT EXISTS}, {@code DESCRIBE}, {@code ALTER})
 * and stage housekeeping ({@code LIST}, {@code REMOVE}).
 *
 * <ul>
 *   <li>A statement that runs long (HTTP 202) is followed by polling {@code GET /api/v2/statements/{handle}}
 *       until it finishes or {@link Builder#statementTimeout} passes.</li>
 *   <li>HTTP 429, 5xx, 408 and I/O failures are retried with the {@link Builder#retry} policy, resubmitting
 *       the same {@code requestId} with {@code retry=true} so Snowflake does not run the statement twice.</li>
 *   <li>HTTP 422 (the SQL failed) becomes a non-retriable {@link SnowflakeSqlException} carrying Snowflake's
 *       code, SQL state and message; 401 and 403 become non-retriable errors that say what to fix.</li>
 * </ul>
 *
 * <p>Thread-safe; calls block the calling thread (never call from a polling thread). Close to release nothing
 * in particular today; it is {@link AutoCloseable} so callers can scope it.
 */
public final class SqlApiClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqlApiClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USER_AGENT = "ksbridge/0.1 (SQL API client)";

    private final SnowflakeAccount account;
    private final HttpClient http;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Duration statementTimeout;
    private final ProxySettings proxy; // the account's, when this client's own HttpClient goes through it

    private SqlApiClient(Builder b) {
        this.account = b.account;
        this.http = b.http != null ? b.http : defaultClient(b.account, b.requestTimeout);
        this.retry = b.retry;
        this.requestTimeout = b.requestTimeout;
        this.statementTimeout = b.statementTimeout;
        this.proxy = b.http == null ? b.account.proxy().orElse(null) : null;
    }

    /** The JDK client, through the account's proxy when it has one (set on this client alone, never JVM-wide). */
    private static HttpClient defaultClient(SnowflakeAccount account, Duration connectTimeout) {
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout);
        account.proxy().ifPresent(p -> p.applyTo(builder));
        return builder.build();
    }

    /** A client with the default settings. */
    public static SqlApiClient create(SnowflakeAccount account) {
        return builder(account).build();
    }

    /** A builder for a client of {@code account}. */
    public static Builder builder(SnowflakeAccount account) {
        return new Builder(account);
    }

    /** The account this client talks to. */
    public SnowflakeAccount account() {
        return account;
    }

    /**
     * Runs one statement with no database or schema in context (name objects fully).
     *
     * @see #execute(String, String, String)
     */
    public SqlResult execute(String statement) {
        return execute(statement, null, null);
    }

    /**
     * Runs one statement and waits for its result.
     *
     * @param statement one SQL statement, never null; never put secrets in it (statements appear in errors)
     * @param database  the database in context, or null
     * @param schema    the schema in context, or null
     * @return the result, never null
     * @throws SnowflakeSqlException when Snowflake refuses the statement ({@code isRetriable()} false), or when
     *                               transient failures outlast the retry policy ({@code isRetriable()} true)
     * @throws io.ksbridge.IngestException from the account's {@link AccessTokenProvider} when no OAuth access token
     *                                     can be had
     */
    public SqlResult execute(String statement, String database, String schema) {
        Objects.requireNonNull(statement, "statement must not be null");
        ObjectNode body = JSON.createObjectNode();
        body.put("statement", statement);
        body.put("timeout", Math.max(1, statementTimeout.toSeconds()));
        if (database != null) {
            body.put("database", database);
        }
        if (schema != null) {
            body.put("schema", schema);
        }
        account.warehouse().ifPresent(w -> body.put("warehouse", w));
        account.role().ifPresent(r -> body.put("role", r));
        body.putObject("parameters").put("MULTI_STATEMENT_COUNT", "1");
        byte[] payload;
        try {
            payload = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String requestId = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + statementTimeout.toNanos() + requestTimeout.toNanos();
        JsonNode first = send(statement, attempt -> newRequest(uri("/api/v2/statements?requestId=" + requestId
                        + (attempt > 1 ? "&retry=true" : "")))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload)), deadline);
        JsonNode done = first;
        Duration pause = Duration.ofMillis(50);
        while (done.path("__status").asInt() == 202) {
            String handle = done.path("statementHandle").asText(null);
            if (handle == null) {
                throw new SnowflakeSqlException("Snowflake accepted the statement '" + abbreviate(statement)
                        + "' (HTTP 202) without a statement handle to follow", true, 202, null, null, null, null);
            }
            if (System.nanoTime() > deadline) {
                throw new SnowflakeSqlException("the statement '" + abbreviate(statement) + "' did not finish within "
                        + statementTimeout + " (statement handle " + handle + ")", true, 202, null, null, handle, null);
            }
            sleep(pause);
            pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : pause.multipliedBy(2);
            done = send(statement, attempt -> newRequest(uri("/api/v2/statements/" + encode(handle))).GET(), deadline);
        }
        return toResult(statement, done, deadline);
    }

    private SqlResult toResult(String statement, JsonNode response, long deadline) {
        List<SqlResult.Column> columns = new ArrayList<>();
        for (JsonNode column : response.path("resultSetMetaData").path("rowType")) {
            columns.add(new SqlResult.Column(column.path("name").asText(), column.path("type").asText("text")
                    .toLowerCase(java.util.Locale.ROOT), column.path("precision").asInt(0), column.path("scale").asInt(0)));
        }
        List<List<String>> rows = new ArrayList<>();
        addRows(response, rows);
        String handle = response.path("statementHandle").asText(null);
        JsonNode partitions = response.path("resultSetMetaData").path("partitionInfo");
        for (int p = 1; p < partitions.size(); p++) {
            int partition = p;
            JsonNode more = send(statement, attempt -> newRequest(uri("/api/v2/statements/" + encode(handle)
                    + "?partition=" + partition)).GET(), deadline);
            addRows(more, rows);
        }
        return new SqlResult(handle, response.path("message").asText(null), columns, rows, true);
    }

    private static void addRows(JsonNode response, List<List<String>> rows) {
        for (JsonNode row : response.path("data")) {
            List<String> values = new ArrayList<>(row.size());
            for (JsonNode value : row) {
                values.add(value.isNull() ? null : value.asText());
            }
            rows.add(values);
        }
    }

    private interface RequestFactory {
        HttpRequest.Builder create(int attempt);
    }

    /** Sends with retries; returns the JSON body with a synthetic {@code __status} field (200 or 202). */
    private JsonNode send(String statement, RequestFactory factory, long deadline) {
        int attempt = 0;
        AccessTokenProvider oauth = account.oauth().orElse(null);
        AccessToken token = null;
        boolean renewed = false;
        while (true) {
            attempt++;
            String bearer;
            if (oauth != null) {
                token = token != null ? token : oauth.token();
                bearer = token.value().reveal();
            } else {
                bearer = account.jwt().reveal();
            }
            HttpRequest request = factory.create(attempt)
                    .timeout(requestTimeout)
                    .header("Authorization", "Bearer " + bearer)
                    .header("X-Snowflake-Authorization-Token-Type", oauth != null ? "OAUTH" : "KEYPAIR_JWT")
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .build();
            SnowflakeSqlException failure;
            try {
                HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                JsonNode body = parse(gunzip(response));
                if (status == 200 || status == 202) {
                    ((ObjectNode) body).put("__status", status);
                    return body;
                }
                if (status == 401 && oauth != null && !renewed) {
                    renewed = true;
                    AccessToken fresh = oauth.refresh(token);
                    if (!fresh.value().equals(token.value())) {
                        LOG.debug("Snowflake refused the OAuth access token (HTTP 401); sending again with a new one");
                        token = fresh;
                        attempt--;
                        continue;
                    }
                }
                failure = error(statement, status, body);
            } catch (IOException e) {
                // A client given through httpClient(...) with an authenticator turns a 401 without a WWW-Authenticate
                // header (Snowflake refusing the JWT) into this IOException, and a 407 it gave up on into the
                // second: they are still a 401 and a 407.
                String why = String.valueOf(e.getMessage());
                failure = why.contains("header missing for response code 401") ? error(statement, 401, JSON.createObjectNode())
                        : why.contains("too many authentication attempts") ? error(statement, 407, JSON.createObjectNode())
                        : new SnowflakeSqlException("could not reach Snowflake at " + account.url() + " for the statement '"
                        + abbreviate(statement) + "': " + e, true, 0, null, null, null, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SnowflakeSqlException("interrupted while running '" + abbreviate(statement) + "'", true, 0, null,
                        null, null, e);
            }
            if (!failure.isRetriable() || !retry.allows(attempt) || System.nanoTime() > deadline) {
                throw failure;
            }
            Duration delay = retry.delay(attempt);
            LOG.debug("retrying SQL statement after {} (attempt {}): {}", delay, attempt, failure.getMessage());
            sleep(delay);
        }
    }

    private SnowflakeSqlException error(String statement, int status, JsonNode body) {
        String code = body.path("code").asText(null);
        String sqlState = body.path("sqlState").asText(null);
        String handle = body.path("statementHandle").asText(null);
        String message = body.path("message").asText("");
        String where = " (HTTP " + status + (code == null ? "" : ", code " + code) + (sqlState == null ? "" : ", SQL state "
                + sqlState) + ")";
        switch (status) {
            case 401:
                if (account.authentication() == SnowflakeAccount.Authentication.OAUTH) {
                    return new SnowflakeSqlException("Snowflake refused the OAuth access token for user " + account.user()
                            + " in account " + account.accountName() + ": " + message + where + ". Check that the token is"
                            + " issued for this account and user (a security integration of TYPE = OAUTH or EXTERNAL_OAUTH),"
                            + " that it has not expired or been revoked, and that the role is one the token may use.",
                            false, status, code, sqlState, handle, null);
                }
                return new SnowflakeSqlException("Snowflake refused the key-pair JWT of user " + account.user() + " in account "
                        + account.accountName() + ": " + message + where + ". Check that the user's RSA_PUBLIC_KEY matches the"
                        + " configured private key (its fingerprint is " + account.publicKeyFingerprint() + "; see DESC USER "
                        + account.user() + "), that the account name is right, and that this machine's clock is correct.",
                        false, status, code, sqlState, handle, null);
            case 403:
                return new SnowflakeSqlException("Snowflake denied '" + abbreviate(statement) + "' to user " + account.user()
                        + account.role().map(r -> " with role " + r).orElse("") + ": " + message + where
                        + ". Grant the role the privileges it needs, or configure a role that has them.",
                        false, status, code, sqlState, handle, null);
            case 407:
                return new SnowflakeSqlException("the proxy " + account.proxy().map(p -> p.host() + ":" + p.port()).orElse("")
                        + " refused '" + abbreviate(statement) + "' for want of valid credentials (HTTP 407). Check the"
                        + " proxy's user and password.", false, status, code, sqlState, handle, null);
            case 422:
                return new SnowflakeSqlException("Snowflake could not run '" + abbreviate(statement) + "': " + message + where,
                        false, status, code, sqlState, handle, null);
            case 408:
            case 429:
            case 500:
            case 502:
            case 503:
            case 504:
                return new SnowflakeSqlException("Snowflake did not run '" + abbreviate(statement) + "' for now: "
                        + (message.isEmpty() ? "transient failure" : message) + where, true, status, code, sqlState, handle, null);
            default:
                return new SnowflakeSqlException("Snowflake answered '" + abbreviate(statement) + "' with an unexpected status: "
                        + message + where, status >= 500, status, code, sqlState, handle, null);
        }
    }

    /** The body, inflated when the server gzip-encoded it (the SQL API does so for result partitions). */
    private static byte[] gunzip(HttpResponse<byte[]> response) throws IOException {
        boolean gzip = response.headers().firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("gzip")).orElse(false);
        if (!gzip || response.body() == null || response.body().length == 0) {
            return response.body();
        }
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))) {
            return in.readAllBytes();
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8));
        }
    }

    /** A request to {@code uri}, with the proxy's credentials when this client goes through the account's proxy. */
    private HttpRequest.Builder newRequest(URI uri) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        if (proxy != null) {
            proxy.preemptiveAuthorization(uri).ifPresent(value -> builder.header("Proxy-Authorization", value));
        }
        return builder;
    }

    private URI uri(String pathAndQuery) {
        return URI.create(account.scheme() + "://" + account.host() + ":" + account.port() + pathAndQuery);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String abbreviate(String statement) {
        String oneLine = statement.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 157) + "...";
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnowflakeSqlException("interrupted while waiting for Snowflake", true, 0, null, null, null, e);
        }
    }

    /** Nothing to release today; idempotent. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "SqlApiClient{" + account.url() + ", user=" + account.user() + "}";
    }

    /** Builds a {@link SqlApiClient}. Mutable, not thread-safe. */
    public static final class Builder {
        private final SnowflakeAccount account;
        private RetryPolicy retry = RetryPolicy.exponential(Duration.ofMillis(200), Duration.ofSeconds(5)).withMaxAttempts(8);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration statementTimeout = Duration.ofSeconds(120);
        private HttpClient http;

        private Builder(SnowflakeAccount account) {
            this.account = Objects.requireNonNull(account, "account must not be null");
        }

        /**
         * How transient failures (429, 5xx, 408, I/O) are retried. Default: 200 ms doubling to 5 s, 8 attempts.
         */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry must not be null");
            return this;
        }

        /** The timeout of one HTTP request. Default 30 s; must be &gt; 0. */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout must not be null");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be > 0, was " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /** How long a statement may run, polling included. Default 120 s; must be &ge; 1 s. */
        public Builder statementTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "statementTimeout must not be null");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("statementTimeout must be >= 1s, was " + timeout);
            }
            this.statementTimeout = timeout;
            return this;
        }

        /**
         * The HTTP client to use. Default: a new JDK client, through the account's {@link SnowflakeAccount#proxy()}
         * when it has one. A client given here is used as it is: the account's proxy is not applied to it.
         */
        public Builder httpClient(HttpClient http) {
            this.http = Objects.requireNonNull(http, "httpClient must not be null");
            return this;
        }

        /** Builds the client. */
        public SqlApiClient build() {
            return new SqlApiClient(this);
        }
    }
}
