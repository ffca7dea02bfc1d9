package io.ksbridge.runner;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeConfigException.Problem;
import io.ksbridge.RecordFormat;
import io.ksbridge.config.BridgeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a connector properties file asks of the runner. Every key is accounted for: a {@link BridgeConfig} key, a
 * runner key ({@code bootstrap.servers}, {@code consumer.override.*}, {@code ksbridge.runner.*}), a converter the
 * runner maps to a format, a Kafka Connect key the runner does not honour (a named warning), or an error. Nothing
 * is silently ignored. Immutable.
 */
final class RunnerSettings {
    /** The Kafka cluster (in Kafka Connect it is the worker's setting; the runner has no worker). */
    static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    /** Kafka Connect's per-connector consumer overrides: passed to the runner's consumer without the prefix. */
    static final String CONSUMER_OVERRIDE = "consumer.override.";
    /** The port of /health and /metrics; unset: no HTTP endpoint. 0 picks a free port (logged). */
    static final String HTTP_PORT = "ksbridge.runner.http.port";
    /** The address the HTTP endpoint binds to; default 0.0.0.0. */
    static final String HTTP_HOST = "ksbridge.runner.http.host";
    /** How long a stop (SIGTERM) may drain: flush, wait for loads, commit. Default 30s. */
    static final String SHUTDOWN_TIMEOUT = "ksbridge.runner.shutdown.timeout";
    /** How often a progress line is logged; default 30s; 0 turns it off. */
    static final String PROGRESS_INTERVAL = "ksbridge.runner.progress.interval";
    /**
     * With {@code snowflake.ingestion.method=SNOWPIPE_STREAMING}: {@code classic} (the default, Snowpipe Streaming
     * Classic as connector v3) or {@code high-performance} (the high-performance architecture, as connector v4).
     */
    static final String STREAMING_ARCHITECTURE = "ksbridge.runner.streaming.architecture";
    /**
     * With the high-performance architecture: {@code skip} (the default), {@code best_effort} or {@code strict}, as
     * connector v4's {@code snowflake.streaming.classic.offset.migration}: take over the Classic channels' tokens.
     */
    static final String CLASSIC_OFFSET_MIGRATION = "ksbridge.runner.streaming.classic.offset.migration";

    static final Set<String> RUNNER_KEYS = Set.of(STREAMING_ARCHITECTURE, CLASSIC_OFFSET_MIGRATION, BOOTSTRAP_SERVERS,
            HTTP_PORT, HTTP_HOST, SHUTDOWN_TIMEOUT,
            PROGRESS_INTERVAL);

    private static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
    private static final String SNOWFLAKE_JSON_CONVERTER = "com.snowflake.kafka.connector.records.SnowflakeJsonConverter";
    private static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

    /** Kafka Connect and connector keys the runner reads but does not honour, each with what to know about it. */
    private static final Map<String, String> WARNED = new LinkedHashMap<>();

    static {
        WARNED.put("tasks.max", "the runner runs one consumer; for more, start more runners with the same name (they"
                + " share the consumer group and split the partitions)");
        WARNED.put("jmx", "the runner exposes Prometheus metrics on " + HTTP_PORT + " instead of JMX");
        WARNED.put("header.converter", "headers are written to RECORD_METADATA as text or JSON, not through a converter");
        WARNED.put("errors.deadletterqueue.topic.replication.factor",
                "the runner does not create the dead-letter topic; create it with the replication factor you want");
        WARNED.put("errors.deadletterqueue.context.headers.enable",
                "dead-lettered records always carry ksbridge's own headers saying why");
        WARNED.put("errors.retry.timeout", "Connect's retry settings do not apply; transient Snowflake errors are"
                + " retried with ksbridge's own bounded backoff");
        WARNED.put("errors.retry.delay.max.ms", "Connect's retry settings do not apply; transient Snowflake errors are"
                + " retried with ksbridge's own bounded backoff");
        WARNED.put("config.action.reload", "the runner reads its file once; restart it to change settings");
    }

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    final BridgeConfig config;
    final String name;
    final Map<String, Object> consumerProperties;
    final RecordFormat keyFormat;
    final String keyFormatName;
    final RecordFormat valueFormat;
    final String valueFormatName;
    final String httpHost;
    final int httpPort; // -1: no endpoint
    final Duration shutdownTimeout;
    final Duration progressInterval;
    final List<String> warnings;
    /** Whether Streaming runs on the high-performance architecture (else Classic). */
    final boolean highPerformance;
    /** {@code skip}, {@code best_effort} or {@code strict} (high-performance architecture only). */
    final String classicOffsetMigration;

    private RunnerSettings(Builder b) {
        this.highPerformance = b.highPerformance;
        this.classicOffsetMigration = b.classicOffsetMigration;
        this.config = b.config;
        this.name = b.name;
        this.consumerProperties = Map.copyOf(b.consumer);
        this.keyFormat = b.keyFormat;
        this.keyFormatName = b.keyFormatName;
        this.valueFormat = b.valueFormat;
        this.valueFormatName = b.valueFormatName;
        this.httpHost = b.httpHost;
        this.httpPort = b.httpPort;
        this.shutdownTimeout = b.shutdownTimeout;
        this.progressInterval = b.progressInterval;
        this.warnings = List.copyOf(b.warnings);
    }

    /** The Snowpipe objects' connector name: the connector's name when it is an unquoted identifier. */
    boolean nameIsIdentifier() {
        return IDENTIFIER.matcher(name).matches();
    }

    /**
     * Reads the properties.
     *
     * @throws BridgeConfigException listing every problem: the connector keys' (from {@link BridgeConfig}) and the
     *                               runner's, secrets hidden
     */
    private static boolean isPredicateKey(String key) {
        return key.equals("predicates") || key.startsWith("predicates.");
    }

    static RunnerSettings parse(Map<String, String> properties) {
        Objects.requireNonNull(properties, "properties must not be null");
        Builder b = new Builder();
        List<Problem> problems = new ArrayList<>();
        try {
            // transforms.* are BridgeConfig's: ksbridge's own transforms and, through ksbridge-transforms-connect,
            // Kafka Connect's SMTs; it names each problem on its key
            b.config = BridgeConfig.from(properties);
        } catch (BridgeConfigException e) {
            problems.addAll(e.problems());
        }
        Set<String> bridgeKeys = new java.util.HashSet<>();
        BridgeConfig.keys().forEach(k -> bridgeKeys.add(k.name()));
        Map<String, String> sorted = new TreeMap<>(properties);
        String keyConverter = sorted.get("key.converter");
        String valueConverter = sorted.get("value.converter");
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            String key = e.getKey();
            String value = e.getValue().trim();
            String shown = shown(key, e.getValue());
            if (bridgeKeys.contains(key) || key.startsWith("transforms.") || RUNNER_KEYS.contains(key)) {
                continue; // read below, or by BridgeConfig (which reports its own problems)
            }
            if (key.startsWith("snowflake.") || key.startsWith("buffer.") || key.startsWith("jvm.")) {
                continue; // BridgeConfig names unknown keys under its prefixes
            }
            if (key.startsWith(CONSUMER_OVERRIDE)) {
                String consumerKey = key.substring(CONSUMER_OVERRIDE.length());
                if (consumerKey.isEmpty()) {
                    problems.add(new Problem(key, shown, "names no consumer setting"));
                } else if (consumerKey.equals("key.deserializer") || consumerKey.equals("value.deserializer")) {
                    problems.add(new Problem(key, shown, "the bridge always reads bytes and converts them with"
                            + " key.converter / value.converter; remove it"));
                } else {
                    b.consumer.put(consumerKey, value);
                }
            } else if (key.equals("connector.class")) {
                if (!value.startsWith("com.snowflake.kafka.connector.")) {
                    problems.add(new Problem(key, shown, "not Snowflake's Kafka connector: the runner runs only"
                            + " Snowflake sink configurations (com.snowflake.kafka.connector.SnowflakeSinkConnector)"));
                } else {
                    b.warnings.add(key + "=" + value + " is not used: the runner takes the connector's place");
                }
            } else if (key.equals("key.converter") || key.equals("value.converter")) {
                continue; // below
            } else if (key.startsWith("key.converter.") || key.startsWith("value.converter.")) {
                String converter = key.startsWith("key.") ? keyConverter : valueConverter;
                String option = key.substring(key.indexOf(".converter.") + ".converter.".length());
                if (option.equals("schemas.enable") && "false".equalsIgnoreCase(value)) {
                    continue; // what the runner does: values are the JSON they are
                }
                b.warnings.add(key + "=" + shown + " is not used: the runner converts "
                        + (key.startsWith("key.") ? "keys" : "values") + " itself ("
                        + (converter == null ? "no converter set" : converter) + "), without converter options"
                        + (option.equals("schemas.enable") ? "; a {schema, payload} envelope is loaded as it is" : ""));
            } else if (isPredicateKey(key)) {
                problems.add(new Problem(key, shown, "Kafka Connect predicates are not supported; use a filter"
                        + " transform (transforms.<alias>.type=filter) instead"));
            } else if (key.startsWith("producer.override.") || key.startsWith("admin.override.")) {
                b.warnings.add(key + " is not used: the dead-letter producer uses the consumer's connection settings");
            } else if (WARNED.containsKey(key)) {
                b.warnings.add(key + "=" + shown + " is not used: " + WARNED.get(key));
            } else if (key.startsWith("ksbridge.")) {
                problems.add(new Problem(key, "[hidden]", "unknown runner setting; the runner reads " + HTTP_HOST + ", "
                        + HTTP_PORT + ", " + PROGRESS_INTERVAL + ", " + SHUTDOWN_TIMEOUT + ", " + STREAMING_ARCHITECTURE + " and "
                        + CLASSIC_OFFSET_MIGRATION));
            } else {
                problems.add(new Problem(key, "[hidden]", "unknown setting: neither a Snowflake connector setting the"
                        + " runner maps nor a runner setting, so it would have no effect; remove it (Kafka consumer"
                        + " settings go under consumer.override.)"));
            }
        }
        readFormats(b, keyConverter, valueConverter, problems);
        readRunnerKeys(b, sorted, problems);
        // required by the runner; checked on the raw keys, so they are reported with BridgeConfig's own problems
        if (blank(sorted.get(BridgeConfig.NAME))) {
            problems.add(new Problem(BridgeConfig.NAME, null, "required by the runner: it names the consumer group"
                    + " (connect-<name>, as Kafka Connect names it) and the bridge"));
        } else {
            b.name = sorted.get(BridgeConfig.NAME).trim();
        }
        if (blank(sorted.get(BridgeConfig.TOPICS)) && blank(sorted.get(BridgeConfig.TOPICS_REGEX))) {
            problems.add(new Problem(BridgeConfig.TOPICS, null, "required by the runner (or topics.regex): the"
                    + " topics to load"));
        }
        if (blank(sorted.get(BridgeConfig.DATABASE))) {
            problems.add(new Problem(BridgeConfig.DATABASE, null, "required: the database of the tables"));
        }
        if (blank(sorted.get(BridgeConfig.SCHEMA))) {
            problems.add(new Problem(BridgeConfig.SCHEMA, null, "required: the schema of the tables"));
        }
        if (!blank(sorted.get(BridgeConfig.PROXY_HOST))) {
            String method = b.config != null ? b.config.ingestionMethod().name() : "Snowflake";
            problems.add(new Problem(BridgeConfig.PROXY_HOST, sorted.get(BridgeConfig.PROXY_HOST).trim(),
                    "the " + method + " backend cannot use a per-client proxy: the Snowflake"
                            + " ingest SDK takes its proxy only from JVM-wide system properties, which ksbridge never"
                            + " sets. Remove the jvm.proxy.* keys, or start the runner with java -Dhttp.useProxy=true"
                            + " -Dhttp.proxyHost=... -Dhttp.proxyPort=... -jar ..., knowing they apply JVM-wide"));
        }
        if (b.name != null) {
            b.consumer.putIfAbsent("group.id", "connect-" + b.name);
        }
        if (!b.consumer.containsKey(BOOTSTRAP_SERVERS)) {
            String servers = sorted.get(BOOTSTRAP_SERVERS);
            if (servers == null || servers.isBlank()) {
                problems.add(new Problem(BOOTSTRAP_SERVERS, null, "required by the runner: the Kafka cluster to read"
                        + " (in Kafka Connect this is the worker's setting), for example kafka:9092"));
            } else {
                b.consumer.put(BOOTSTRAP_SERVERS, servers.trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(problems);
        }
        return new RunnerSettings(b);
    }

    private static void readFormats(Builder b, String keyConverter, String valueConverter, List<Problem> problems) {
        Object[] key = format("key.converter", keyConverter, RecordFormat.string(), "text (the default)", problems);
        Object[] value = format("value.converter", valueConverter, RecordFormat.json(), "JSON (the default)", problems);
        b.keyFormat = (RecordFormat) key[0];
        b.keyFormatName = (String) key[1];
        b.valueFormat = (RecordFormat) value[0];
        b.valueFormatName = (String) value[1];
        var columns = b.config == null ? java.util.Optional.<io.ksbridge.format.TypedColumns>empty() : b.config.jsonColumns();
        if (columns.isPresent()) {
            if (b.valueFormat == RecordFormat.json()) {
                b.valueFormat = RecordFormat.json(columns.get());
                b.valueFormatName += " with declared columns " + columns.get();
            } else {
                problems.add(new Problem(BridgeConfig.JSON_COLUMNS, null, "declares columns of JSON values, and"
                        + " value.converter reads " + b.valueFormatName + "; remove it, or read JSON values"));
            }
        }
    }

    private static Object[] format(String setting, String converter, RecordFormat fallback, String fallbackName,
                                   List<Problem> problems) {
        if (converter == null) {
            return new Object[] {fallback, fallbackName};
        }
        String c = converter.trim();
        if (c.equals(JSON_CONVERTER) || c.equals(SNOWFLAKE_JSON_CONVERTER)) {
            return new Object[] {RecordFormat.json(), "JSON (" + c.substring(c.lastIndexOf('.') + 1) + ")"};
        }
        if (c.equals(STRING_CONVERTER)) {
            return new Object[] {RecordFormat.string(), "text (StringConverter)"};
        }
        problems.add(new Problem(setting, c, "not supported by the runner, which reads JSON (JsonConverter,"
                + " SnowflakeJsonConverter) and text (StringConverter); for Avro or Protobuf, embed the library with"
                + " AvroFormat or ProtobufFormat"));
        return new Object[] {fallback, fallbackName};
    }

    private static void readRunnerKeys(Builder b, Map<String, String> p, List<Problem> problems) {
        String port = p.get(HTTP_PORT);
        if (port != null) {
            try {
                b.httpPort = Integer.parseInt(port.trim());
                if (b.httpPort < 0 || b.httpPort > 65_535) {
                    problems.add(new Problem(HTTP_PORT, port, "must be between 0 (any free port) and 65535"));
                }
            } catch (NumberFormatException e) {
                problems.add(new Problem(HTTP_PORT, port, "expected a port number"));
            }
        }
        String host = p.get(HTTP_HOST);
        if (host != null) {
            if (host.isBlank()) {
                problems.add(new Problem(HTTP_HOST, host, "must not be empty"));
            } else if (port == null) {
                problems.add(new Problem(HTTP_HOST, host, "has no effect without " + HTTP_PORT + "; set it, or remove "
                        + HTTP_HOST));
            } else {
                b.httpHost = host.trim();
            }
        }
        b.shutdownTimeout = duration(SHUTDOWN_TIMEOUT, p.get(SHUTDOWN_TIMEOUT), Duration.ofSeconds(30), problems);
        if (b.shutdownTimeout.isZero()) {
            problems.add(new Problem(SHUTDOWN_TIMEOUT, p.get(SHUTDOWN_TIMEOUT), "must be > 0: a stop needs time to"
                    + " commit what is durable"));
        }
        b.progressInterval = duration(PROGRESS_INTERVAL, p.get(PROGRESS_INTERVAL), Duration.ofSeconds(30), problems);
        readStreamingKeys(b, p, problems);
    }

    private static void readStreamingKeys(Builder b, Map<String, String> p, List<Problem> problems) {
        String architecture = p.get(STREAMING_ARCHITECTURE);
        boolean streaming = "SNOWPIPE_STREAMING".equalsIgnoreCase(String.valueOf(p.get(BridgeConfig.INGESTION_METHOD)).trim());
        if (architecture != null) {
            String a = architecture.trim().toLowerCase(Locale.ROOT);
            if (!a.equals("classic") && !a.equals("high-performance")) {
                problems.add(new Problem(STREAMING_ARCHITECTURE, architecture, "expected classic or high-performance"));
            } else if (!streaming) {
                problems.add(new Problem(STREAMING_ARCHITECTURE, architecture, "applies to Snowpipe Streaming only; set "
                        + BridgeConfig.INGESTION_METHOD + "=SNOWPIPE_STREAMING, or remove it"));
            } else {
                b.highPerformance = a.equals("high-performance");
            }
        }
        String migration = p.get(CLASSIC_OFFSET_MIGRATION);
        if (migration != null) {
            String m = migration.trim().toLowerCase(Locale.ROOT);
            if (!m.equals("skip") && !m.equals("best_effort") && !m.equals("strict")) {
                problems.add(new Problem(CLASSIC_OFFSET_MIGRATION, migration, "expected skip, best_effort or strict"));
            } else if (!b.highPerformance) {
                problems.add(new Problem(CLASSIC_OFFSET_MIGRATION, migration, "takes over Classic channels for the"
                        + " high-performance architecture only; set " + STREAMING_ARCHITECTURE + "=high-performance"));
            } else {
                b.classicOffsetMigration = m;
            }
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}; a bare number is seconds, as in the connector's keys. */
    static Duration duration(String setting, String text, Duration fallback, List<Problem> problems) {
        if (text == null) {
            return fallback;
        }
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problems.add(new Problem(setting, text, "expected a duration: a whole number with ms, s, m or h (a bare"
                    + " number is seconds), for example 30s"));
            return fallback;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static boolean blank(String v) {
        return v == null || v.isBlank();
    }

    /** A value as it may be shown: hidden when the key's name looks secret. */
    static String shown(String key, String value) {
        return looksSecret(key) ? "[hidden]" : value;
    }

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("passphrase") || k.contains("secret") || k.contains("token")
                || k.contains("jaas") || k.contains("credential") || k.endsWith(".key") || k.contains("private");
    }

    /** {@code errors.log.enable}: log every tolerated record (honoured by the runner's listener). */
    boolean logErrors() {
        return config.errorsLogEnabled();
    }

    private static final class Builder {
        boolean highPerformance;
        String classicOffsetMigration = "skip";
        BridgeConfig config;
        String name;
        final Map<String, Object> consumer = new TreeMap<>();
        RecordFormat keyFormat;
        String keyFormatName;
        RecordFormat valueFormat;
        String valueFormatName;
        String httpHost = "0.0.0.0";
        int httpPort = -1;
        Duration shutdownTimeout;
        Duration progressInterval;
        final List<String> warnings = new ArrayList<>();
    }
}
