package io.ksbridge.config;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Experimental;
import io.ksbridge.config.BridgeConfig.IngestionMethod;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The tuning settings of the two Snowflake backend builders ({@code SnowpipeBackend.builder()} in
 * {@code ksbridge-ingest-snowpipe}, {@code StreamingBackend.builder()} in {@code ksbridge-ingest-streaming}): one
 * name per concept across both builders, one default and one valid range each, stated here once. The builders take
 * their defaults and ranges from here, {@link BridgeConfig} takes the default of a setting it has a connector key
 * for ({@link Setting#connectorKey()}), and {@code docs/configuration.md} lists them from here.
 *
 * <p>The same name means the same thing in both builders: {@code writerThreads} (threads doing the backend's
 * writing), {@code statusPollInterval} (how often Snowflake is asked about work handed over), {@code closeTimeout}
 * (how long {@code close()} waits). Their defaults differ by backend where the work differs; each is listed.
 *
 * <p>Immutable and thread-safe.
 */
@Experimental
public final class BackendSettings {

    /**
     * One builder setting.
     *
     * @param backend      the backend whose builder has it, never null
     * @param name         the builder method, never null
     * @param defaultValue the default: a {@link Duration}, an {@link Integer}, a {@link Boolean} or an enum
     *                     constant's name; never null
     * @param min          the smallest valid value (a {@link Duration} or an {@link Integer}), or null for settings
     *                     without a range
     * @param max          the largest valid value, or null for settings without a range
     * @param connectorKey the {@link BridgeConfig} key that sets it from connector properties, or null
     * @param doc          what it does, never null
     */
    public record Setting(IngestionMethod backend, String name, Object defaultValue, Object min, Object max,
                          String connectorKey, String doc) {
        public Setting {
            if (backend == null || name == null || defaultValue == null || doc == null) {
                throw new NullPointerException("backend, name, defaultValue and doc must not be null");
            }
        }

        /** The default as a duration; throws {@link ClassCastException} for a setting of another type. */
        public Duration durationDefault() {
            return (Duration) defaultValue;
        }

        /** The default as a whole number; throws {@link ClassCastException} for a setting of another type. */
        public int intDefault() {
            return (Integer) defaultValue;
        }

        /** The connector key, if {@link BridgeConfig} has one for this setting. */
        public Optional<String> key() {
            return Optional.ofNullable(connectorKey);
        }

        /** The default in words: {@code 5 s}, {@code 150 ms}, {@code 4}, {@code ZSTD}. Never null. */
        public String defaultText() {
            return text(defaultValue);
        }

        /** The valid values in words ({@code 1 to 64}, {@code 10 ms to 10 min}), or empty when any value goes. */
        public String validValues() {
            return min == null ? "" : text(min) + " to " + text(max);
        }

        /**
         * Checks a duration against this setting's range.
         *
         * @param value the value, must not be null
         * @return the value
         * @throws NullPointerException     naming the setting, when value is null
         * @throws IllegalArgumentException naming the setting, its range and the value, when out of range
         */
        public Duration check(Duration value) {
            Objects.requireNonNull(value, name + " must not be null");
            if (value.compareTo((Duration) min) < 0 || value.compareTo((Duration) max) > 0) {
                throw new IllegalArgumentException(name + " must be between " + text(min) + " and " + text(max) + ", was "
                        + text(value));
            }
            return value;
        }

        /**
         * Checks a whole number against this setting's range.
         *
         * @param value the value
         * @return the value
         * @throws IllegalArgumentException naming the setting, its range and the value, when out of range
         */
        public int check(int value) {
            if (value < (Integer) min || value > (Integer) max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        }
    }

    private static final List<Setting> ALL = new ArrayList<>();

    private static Setting define(IngestionMethod backend, String name, Object defaultValue, Object min, Object max,
                                  String connectorKey, String doc) {
        Setting s = new Setting(backend, name, defaultValue, min, max, connectorKey, doc);
        ALL.add(s);
        return s;
    }

    private static final Duration TEN_MS = Duration.ofMillis(10);
    private static final Duration TEN_MIN = Duration.ofMinutes(10);

    /** Snowpipe: threads compressing, staging and submitting files. */
    public static final Setting SNOWPIPE_WRITER_THREADS = define(IngestionMethod.SNOWPIPE, "writerThreads", 4, 1, 64,
            null, "Threads compressing, staging and submitting files: a partition's files go one at a time, several"
                    + " partitions at once. Old name: uploadParallelism (deprecated).");
    /** Snowpipe: how often {@code insertReport} is asked about files still loading. */
    public static final Setting SNOWPIPE_STATUS_POLL_INTERVAL = define(IngestionMethod.SNOWPIPE, "statusPollInterval",
            Duration.ofSeconds(5), TEN_MS, TEN_MIN, null, "How often insertReport is asked about a pipe's files still"
                    + " loading. Never delays durability: a batch is durable once insertFiles accepted its file.");
    /** Snowpipe: how long {@code close()} waits for submitted files to load. */
    public static final Setting SNOWPIPE_CLOSE_TIMEOUT = define(IngestionMethod.SNOWPIPE, "closeTimeout",
            Duration.ofSeconds(5), Duration.ZERO, TEN_MIN, null, "How long close() waits for submitted files to load (so"
                    + " loaded files are removed and failures reported); files still loading are settled by the next open"
                    + " of their partition. Old name: closeWait (deprecated).");
    /** Snowpipe: after how long an unreported file is looked up in the load history. */
    public static final Setting SNOWPIPE_HISTORY_FALLBACK = define(IngestionMethod.SNOWPIPE, "historyFallback",
            Duration.ofMinutes(2), TEN_MS, Duration.ofHours(24), null, "After how long a file insertReport has not"
                    + " reported is looked up with loadHistoryScan (at most once per pipe per this period).");
    /** Snowpipe: how long a submitted file may take to load. */
    public static final Setting SNOWPIPE_LOAD_TIMEOUT = define(IngestionMethod.SNOWPIPE, "loadTimeout",
            Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(14), null, "How long a submitted file may take to"
                    + " load before it is treated as failed (moved to the table stage and reported), as the connector.");
    /** Snowpipe: how far back {@code open} reads the load history. */
    public static final Setting SNOWPIPE_HISTORY_WINDOW = define(IngestionMethod.SNOWPIPE, "historyWindow",
            Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofDays(14), null, "How far back opening a partition"
                    + " reads its pipe's load history (Snowpipe keeps 14 days).");
    /** Snowpipe: columns from the records' top-level fields. */
    public static final Setting SNOWPIPE_SCHEMATIZATION = define(IngestionMethod.SNOWPIPE, "schematization",
            false, null, null, BridgeConfig.ENABLE_SCHEMATIZATION, "Columns from the records' top-level fields (typed"
                    + " from the record's schema where it declares them), loaded by a MATCH_BY_COLUMN_NAME pipe"
                    + " <pipe>_TYPED; false: RECORD_CONTENT holds the whole record.");
    /** Snowpipe: file compression. */
    public static final Setting SNOWPIPE_COMPRESSION = define(IngestionMethod.SNOWPIPE, "compression", "ZSTD", null,
            null, null, "ZSTD (Snowflake detects it on load; several times faster than gzip, smaller files) or GZIP (what"
                    + " the connector writes).");
    /** Snowpipe: the name stage, pipe and file names carry. */
    public static final Setting SNOWPIPE_CONNECTOR_NAME = define(IngestionMethod.SNOWPIPE, "connectorName", "KSBRIDGE",
            null, null, null, "The name stage, pipe and file names carry, as the connector's name does in its objects;"
                    + " an identifier, resolved upper case unless quoted.");

    /** Streaming: threads handing rows to the SDK. */
    public static final Setting STREAMING_WRITER_THREADS = define(IngestionMethod.SNOWPIPE_STREAMING, "writerThreads",
            2, 1, 64, null, "Threads handing rows to the SDK (a partition always uses the same one).");
    /** Streaming: how often committed offset tokens are read. */
    public static final Setting STREAMING_STATUS_POLL_INTERVAL = define(IngestionMethod.SNOWPIPE_STREAMING,
            "statusPollInterval", Duration.ofMillis(150), TEN_MS, TEN_MIN, null, "How often the committed offset tokens"
                    + " of channels with batches waiting are read: a batch is durable when its token has committed."
                    + " Old name: commitPollInterval (deprecated).");
    /** Streaming: how long {@code close()} waits for channels and the client. */
    public static final Setting STREAMING_CLOSE_TIMEOUT = define(IngestionMethod.SNOWPIPE_STREAMING, "closeTimeout",
            Duration.ofSeconds(10), Duration.ZERO, TEN_MIN, null, "How long close() waits for the channels and the SDK"
                    + " client to close, and how long a release of revoked partitions waits for their channels to close"
                    + " (flushed and committed), all at once.");
    /** Streaming: the SDK's {@code max_client_lag}. */
    public static final Setting STREAMING_MAX_CLIENT_LAG = define(IngestionMethod.SNOWPIPE_STREAMING, "maxClientLag",
            Duration.ofSeconds(1), Duration.ofSeconds(1), TEN_MIN, BridgeConfig.STREAMING_MAX_CLIENT_LAG,
            "How long the SDK may hold rows before it flushes them (its max_client_lag). Batches become durable about"
                    + " this long after they are handed over. 1 s, the SDK's own default, and not the connector v3's 30 s:"
                    + " the bridge already batches by its flush policy, and the SDK keeps a copy of every row it holds.");
    /** Streaming (Classic and high-performance): columns from the records' top-level fields. */
    public static final Setting STREAMING_SCHEMATIZATION = define(IngestionMethod.SNOWPIPE_STREAMING, "schematization",
            false, null, null, BridgeConfig.ENABLE_SCHEMATIZATION, "Columns from the records' top-level fields, added as"
                    + " new fields appear; false: RECORD_CONTENT holds the whole record. The high-performance builder"
                    + " (HighPerformanceStreamingBackend) has the same setting and default, its rows loaded by each"
                    + " table's default pipe.");

    private static final List<Setting> SETTINGS = List.copyOf(ALL);

    private BackendSettings() {
    }

    /**
     * Every setting, Snowpipe's first, in a stable order.
     *
     * @return an immutable list, never null
     */
    public static List<Setting> all() {
        return SETTINGS;
    }

    /**
     * The problems both backend builders report at {@code build()} about where the rows go, in this order, with the
     * same words: a missing account, what {@code accountCheck} finds in a given one, a missing database, a missing
     * schema, and an account with a per-client proxy (the ingest SDK takes a proxy only from JVM-wide system
     * properties, which ksbridge never sets).
     *
     * @param backend      the backend, for the messages; never null
     * @param account      the builder's account, or null when not set
     * @param database     the builder's database, or null when not set
     * @param schema       the builder's schema, or null when not set
     * @param accountCheck what the backend cannot take in a given account (how it signs in), never null
     * @return the problems, empty when there are none; a new, modifiable list
     */
    public static List<BridgeConfigException.Problem> targetProblems(IngestionMethod backend, SnowflakeAccount account,
            String database, String schema, Function<SnowflakeAccount, Optional<BridgeConfigException.Problem>> accountCheck) {
        List<BridgeConfigException.Problem> problems = new ArrayList<>();
        if (account == null) {
            problems.add(new BridgeConfigException.Problem("account", null, "the Snowflake account is required"));
        } else {
            accountCheck.apply(account).ifPresent(problems::add);
        }
        if (database == null) {
            problems.add(new BridgeConfigException.Problem("database", null, "the database of the target tables is required"));
        }
        if (schema == null) {
            problems.add(new BridgeConfigException.Problem("schema", null, "the schema of the target tables is required"));
        }
        if (account != null && account.proxy().isPresent()) {
            problems.add(new BridgeConfigException.Problem("proxy", account.proxy().get().toString(), "the "
                    + (backend == IngestionMethod.SNOWPIPE ? "Snowpipe" : "Streaming") + " backend cannot use a per-client"
                    + " proxy: the Snowflake ingest SDK takes its proxy only from JVM-wide system properties (http.useProxy,"
                    + " http.proxyHost, http.proxyPort, ...), which ksbridge never sets. Remove the account's proxy"
                    + " (jvm.proxy.host), or set those system properties on the JVM's command line yourself, knowing they"
                    + " apply JVM-wide"));
        }
        return problems;
    }

    /** A value in words: durations in their largest whole unit ({@code 150 ms}, {@code 5 s}, {@code 2 min}). */
    static String text(Object value) {
        if (value instanceof Duration d) {
            if (d.isZero()) {
                return "0";
            }
            if (d.toDays() >= 2 && d.equals(Duration.ofDays(d.toDays()))) {
                return d.toDays() + " days";
            }
            if (d.equals(Duration.ofHours(d.toHours()))) {
                return d.toHours() + " h";
            }
            if (d.equals(Duration.ofMinutes(d.toMinutes()))) {
                return d.toMinutes() + " min";
            }
            if (d.equals(Duration.ofSeconds(d.toSeconds()))) {
                return d.toSeconds() + " s";
            }
            return d.toMillis() + " ms";
        }
        return String.valueOf(value);
    }
}
