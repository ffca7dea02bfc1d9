package io.ksbridge.config;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeConfigException.Problem;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.Experimental;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.MetadataOptions;
import io.ksbridge.NullValueBehavior;
import io.ksbridge.Secret;
import io.ksbridge.TableNamer;
import io.ksbridge.TableRouter;
import io.ksbridge.internal.secrets.SecretFragments;
import io.ksbridge.snowflake.OAuthTokenClient;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A bridge configured with the property names of Snowflake's Kafka connector (v3), for people moving from the
 * connector. It reads the keys in {@link #keys()}, with the connector's defaults and ranges, checks every value,
 * and feeds the typed builder:
 * <pre>{@code
 * BridgeConfig config = BridgeConfig.from(connectorProperties);      // throws BridgeConfigException
 * IngestBackend backend = ...;   // built by you from config.account(), config.database(), config.schema(), ...
 * KafkaToSnowflakeBridge bridge = config.applyTo(KafkaToSnowflakeBridge.builder())
 *     .consumerProperties(Map.of("bootstrap.servers", "kafka:9092", "group.id", "orders-loader"))
 *     .backend(backend)
 *     .build();
 * }</pre>
 *
 * <p>What it maps: {@code name}, {@code topics} / {@code topics.regex}, {@code snowflake.topic2table.map} (the
 * {@link TableNamer}), {@code buffer.*} (the {@link FlushPolicy}), {@code snowflake.metadata.*} and
 * {@code snowflake.streaming.metadata.connectorPushTime} ({@link MetadataOptions}), {@code errors.tolerance} with
 * {@code errors.deadletterqueue.topic.name} ({@link ErrorPolicy}) and {@code behavior.on.null.values}
 * ({@link NullValueBehavior}). The account settings ({@code snowflake.url.name}, {@code snowflake.user.name},
 * {@code snowflake.private.key}, ..., or {@code snowflake.authenticator=oauth} with the {@code snowflake.oauth.*}
 * keys) and the backend choice ({@code snowflake.ingestion.method}) are checked and
 * exposed as typed values, because the backend lives in its own module and is built by you: see
 * {@link #account()}, {@link #ingestionMethod()}, {@link #database()}, {@link #schema()}.
 *
 * <p>Converters are not read: {@code key.converter} and {@code value.converter} become
 * {@link KafkaToSnowflakeBridge.Builder#keyFormat keyFormat} and {@link KafkaToSnowflakeBridge.Builder#format format}
 * (the defaults, string keys and JSON values, match the connector's common setup).
 *
 * <p>The proxy keys ({@code jvm.proxy.host}, {@code jvm.proxy.port}, {@code jvm.proxy.username},
 * {@code jvm.proxy.password}, {@code jvm.nonProxy.hosts}) become the account's {@link #proxy()}: where the connector
 * sets them as JVM-wide system properties, ksbridge applies them to its own HTTP clients only.
 *
 * <p>Unknown keys under {@code snowflake.}, {@code buffer.} and {@code jvm.} are errors (a typo must not silently
 * fall back to a default); other keys ({@code connector.class}, {@code tasks.max}, {@code key.converter}, ...) are
 * ignored here (the runner, {@code ksbridge-runner}, names each one it does not honour).
 * Every problem is reported at once, in one {@link BridgeConfigException}, in Kafka's form
 * {@code Invalid value V for setting N: why}. No message and no {@link #toString()} shows a secret: the values of
 * {@code snowflake.private.key}, {@code snowflake.private.key.passphrase}, {@code snowflake.oauth.client.secret},
 * {@code snowflake.oauth.refresh.token} and of every unknown key are shown as
 * {@code [hidden]}, and so is any value that contains part of a secret given in the same properties (eight
 * characters in a row of the key or passphrase, or of a key whose name looks secret). A value that looks like a
 * private key (PEM, or long base64 DER) in any other setting is refused, unshown: it belongs in
 * {@code snowflake.private.key}.
 *
 * <p>Immutable and thread-safe.
 */
@Experimental
public final class BridgeConfig {

    /** The connector's name; here the bridge's {@link KafkaToSnowflakeBridge.Builder#name name}. */
    public static final String NAME = "name";
    /** Comma-separated topics to consume (own loop). */
    public static final String TOPICS = "topics";
    /** A regex of topics to consume (own loop). */
    public static final String TOPICS_REGEX = "topics.regex";
    /** The account URL. */
    public static final String URL = "snowflake.url.name";
    /** The user the key pair belongs to. */
    public static final String USER = "snowflake.user.name";
    /** The PKCS#8 private key (PEM or bare base64). Secret. */
    public static final String PRIVATE_KEY = "snowflake.private.key";
    /** The private key's passphrase. Secret. */
    public static final String PRIVATE_KEY_PASSPHRASE = "snowflake.private.key.passphrase";
    /** {@code snowflake_jwt} (key pair, the default) or {@code oauth}. */
    public static final String AUTHENTICATOR = "snowflake.authenticator";
    /** The OAuth client id. */
    public static final String OAUTH_CLIENT_ID = "snowflake.oauth.client.id";
    /** The OAuth client secret. Secret. */
    public static final String OAUTH_CLIENT_SECRET = "snowflake.oauth.client.secret";
    /** The OAuth refresh token; empty for the client-credentials grant. Secret. */
    public static final String OAUTH_REFRESH_TOKEN = "snowflake.oauth.refresh.token";
    /** The OAuth token endpoint; default the account's Snowflake OAuth endpoint. */
    public static final String OAUTH_TOKEN_ENDPOINT = "snowflake.oauth.token.endpoint";
    /** Whether token requests send a scope. */
    public static final String OAUTH_INCLUDE_SCOPE = "snowflake.oauth.include.scope";
    /** The scope token requests send, with {@code snowflake.oauth.include.scope=true}. */
    public static final String OAUTH_SCOPE = "snowflake.oauth.scope";
    /** ksbridge's own: true accepts an {@code http://} account URL (a local emulator or test endpoint). */
    public static final String ALLOW_INSECURE_HTTP = "ksbridge.snowflake.allow.insecure.http";
    /** The role. */
    public static final String ROLE = "snowflake.role.name";
    /** The database of the tables. */
    public static final String DATABASE = "snowflake.database.name";
    /** The schema of the tables. */
    public static final String SCHEMA = "snowflake.schema.name";
    /** {@code SNOWPIPE} or {@code SNOWPIPE_STREAMING}. */
    public static final String INGESTION_METHOD = "snowflake.ingestion.method";
    /** {@code topic1:table1,topic2:table2}, keys may be regexes. */
    public static final String TOPIC2TABLE_MAP = "snowflake.topic2table.map";
    /** ksbridge's own: route each record to the table a value field names ({@link TableRouter#byField}). */
    public static final String ROUTE_FIELD = "ksbridge.route.field";
    /** ksbridge's own: route each record to the table a header names ({@link TableRouter#byHeader}). */
    public static final String ROUTE_HEADER = "ksbridge.route.header";
    /** ksbridge's own: JSON values' declared column types ({@link io.ksbridge.format.TypedColumns#declared}). */
    public static final String JSON_COLUMNS = "ksbridge.json.columns";
    /** Records per partition buffer before a flush. */
    public static final String BUFFER_COUNT_RECORDS = "buffer.count.records";
    /** Bytes per partition buffer before a flush. */
    public static final String BUFFER_SIZE_BYTES = "buffer.size.bytes";
    /** Seconds a record may wait in a buffer before a flush. */
    public static final String BUFFER_FLUSH_TIME = "buffer.flush.time";
    /** false drops {@code RECORD_METADATA} entirely. */
    public static final String METADATA_ALL = "snowflake.metadata.all";
    /** {@code topic} in {@code RECORD_METADATA}. */
    public static final String METADATA_TOPIC = "snowflake.metadata.topic";
    /** {@code offset} and {@code partition} in {@code RECORD_METADATA}. */
    public static final String METADATA_OFFSET_AND_PARTITION = "snowflake.metadata.offset.and.partition";
    /** {@code CreateTime} / {@code LogAppendTime} in {@code RECORD_METADATA}. */
    public static final String METADATA_CREATETIME = "snowflake.metadata.createtime";
    /** {@code SnowflakeConnectorPushTime} in {@code RECORD_METADATA} (Streaming). */
    public static final String METADATA_CONNECTOR_PUSH_TIME = "snowflake.streaming.metadata.connectorPushTime";
    /** Columns from top-level fields (Streaming). */
    public static final String ENABLE_SCHEMATIZATION = "snowflake.enable.schematization";
    /** How long the Streaming client may hold rows before it flushes them (seconds). */
    public static final String STREAMING_MAX_CLIENT_LAG = "snowflake.streaming.max.client.lag";
    /** {@code none} or {@code all}. */
    public static final String ERRORS_TOLERANCE = "errors.tolerance";
    /** Log every tolerated error. */
    public static final String ERRORS_LOG_ENABLE = "errors.log.enable";
    /** The dead-letter topic. */
    public static final String ERRORS_DEADLETTERQUEUE_TOPIC_NAME = "errors.deadletterqueue.topic.name";
    /** {@code DEFAULT} or {@code IGNORE}. */
    public static final String BEHAVIOR_ON_NULL_VALUES = "behavior.on.null.values";
    /** The HTTP proxy's host; with {@link #PROXY_PORT}. Applied per client, never JVM-wide. */
    /** {@code transforms}: the aliases of the transforms to run, in order; each configured by {@code transforms.<alias>.*}. */
    public static final String TRANSFORMS = "transforms";
    public static final String PROXY_HOST = "jvm.proxy.host";
    /** The HTTP proxy's port. */
    public static final String PROXY_PORT = "jvm.proxy.port";
    /** The proxy user; with {@link #PROXY_PASSWORD}. */
    public static final String PROXY_USERNAME = "jvm.proxy.username";
    /** The proxy password. Secret. */
    public static final String PROXY_PASSWORD = "jvm.proxy.password";
    /** Hosts reached without the proxy, {@code |}-separated as in the JVM's {@code http.nonProxyHosts}. */
    public static final String NON_PROXY_HOSTS = "jvm.nonProxy.hosts";

    /** The connector's {@code snowflake.ingestion.method}: which backend the configuration is meant for. */
    public enum IngestionMethod {
        /** Files loaded by Snowpipe (the connector's default): {@code SnowpipeBackend}. */
        SNOWPIPE,
        /** Snowpipe Streaming channels: {@code StreamingBackend}. */
        SNOWPIPE_STREAMING
    }

    /** The connector's {@code snowflake.authenticator}: how the account signs in. */
    public enum Authenticator {
        /** {@code snowflake_jwt}: key-pair JWTs (the connector's default). */
        SNOWFLAKE_JWT,
        /** {@code oauth}: OAuth access tokens from a token endpoint. */
        OAUTH
    }

    /** The type of a key's value, as written in the properties. */
    public enum Type {
        /** Text. */
        STRING,
        /** Text that is never printed. */
        PASSWORD,
        /** A whole number. */
        LONG,
        /** {@code true} or {@code false}, any case. */
        BOOLEAN,
        /** One of a fixed set of words, any case. */
        ENUM,
        /** A comma-separated list. */
        LIST
    }

    /**
     * One key this class reads, for reference tables and tooling.
     *
     * @param name         the property name, never null
     * @param type         how the value is written, never null
     * @param defaultValue the default as text, where it depends on {@link IngestionMethod} both are given; null
     *                     when the key has no default (unset means "not configured")
     * @param validValues  what is accepted, in words, never null
     * @param doc          what the key does in ksbridge, never null
     */
    public record Key(String name, Type type, String defaultValue, String validValues, String doc) {
        public Key {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(validValues, "validValues");
            Objects.requireNonNull(doc, "doc");
        }

        /** True for keys whose value is never printed. */
        public boolean secret() {
            return type == Type.PASSWORD;
        }
    }

    private static final long SNOWPIPE_MIN_FLUSH_SECONDS = 10;
    private static final long STREAMING_MIN_FLUSH_SECONDS = 1;
    private static final Pattern IDENTIFIER = Pattern.compile("[_a-zA-Z][_$a-zA-Z0-9]+");
    private static final Pattern QUALIFIED = Pattern.compile("([_a-zA-Z][_$a-zA-Z0-9]+\\.){1,2}[_a-zA-Z][_$a-zA-Z0-9]+");
    private static final Pattern APP_NAME = Pattern.compile("[-_a-zA-Z][-_$a-zA-Z0-9]+");
    private static final String HIDDEN = "[hidden]";
    private static final String IDENTIFIER_VALUES = "an identifier: unquoted (letters, digits, _ and $, resolved upper-case)"
            + " or double-quoted (kept as written), as the backend builders take it";

    /** A rejected value; the message is the reason, never containing a secret. */
    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    @FunctionalInterface
    private interface Parser {
        /** Parses a present, trimmed value; {@code method} is the configuration's ingestion method. */
        Object parse(String value, IngestionMethod method) throws Invalid;
    }

    /** One key: its public description and how to read it, together (Kafka's ConfigDef in small). */
    private record Def(Key key, Function<IngestionMethod, String> defaultFor, Parser parser) {
    }

    private static final Map<String, Def> DEFS = new LinkedHashMap<>();

    private static void define(String name, Type type, String defaultValue, String validValues, String doc,
                               Parser parser) {
        define(name, type, defaultValue, m -> defaultValue, validValues, doc, parser);
    }

    private static void define(String name, Type type, String defaultText, Function<IngestionMethod, String> defaultFor,
                               String validValues, String doc, Parser parser) {
        DEFS.put(name, new Def(new Key(name, type, defaultText, validValues, doc), defaultFor, parser));
    }

    static {
        define(INGESTION_METHOD, Type.ENUM, "SNOWPIPE", "SNOWPIPE, SNOWPIPE_STREAMING (any case)",
                "Which backend the configuration is for: SnowpipeBackend (files loaded by Snowpipe) or StreamingBackend"
                        + " (Snowpipe Streaming). Decides the buffer.* defaults; build the backend yourself.",
                (v, m) -> enumValue(v, IngestionMethod.class));
        define(NAME, Type.STRING, null, "letters, digits, _, - and $, starting with a letter, _ or -; at least 2",
                "The bridge's name (the connector's name): used in logs, the loop thread and backend object names."
                        + " Unset: the builder's default, ksbridge.",
                (v, m) -> appName(v));
        define(TOPICS, Type.LIST, null, "comma-separated topic names",
                "Topics the bridge's own consumer loop subscribes to. Excludes topics.regex. Unset with topics.regex"
                        + " unset: a host-loop bridge (the host polls and calls accept).",
                (v, m) -> topicList(v));
        define(TOPICS_REGEX, Type.STRING, null, "a Java regular expression",
                "Subscribe the own loop to every topic matching this regex. Excludes topics.",
                (v, m) -> regex(v));
        define(TOPIC2TABLE_MAP, Type.STRING, "", "<topic>:<table>,<topic>:<table>,... ; a topic may be a regex",
                "Explicit topic to table mapping. A topic equal to a key takes its table; otherwise the first key"
                        + " that matches as a regex; otherwise the connector's generated name. A table is an unquoted"
                        + " identifier (at least 2 characters, letters, digits, _ and $), resolved upper-case, or a"
                        + " double-quoted one (\"MixedCase\", without , or :), kept as written: the backends quote every"
                        + " name they send, so its case survives.",
                (v, m) -> topicToTable(v));
        define(BUFFER_COUNT_RECORDS, Type.LONG, "10000", ">= 1",
                "Flush a partition's buffer when it holds this many records.",
                (v, m) -> longAtLeast(v, 1));
        define(BUFFER_SIZE_BYTES, Type.LONG, "5000000 (SNOWPIPE), 20000000 (SNOWPIPE_STREAMING)",
                m -> m == IngestionMethod.SNOWPIPE_STREAMING ? "20000000" : "5000000", ">= 1",
                "Flush a partition's buffer when it holds this many bytes. Must not exceed the bridge's"
                        + " maxBufferedBytes (default 256 MiB).",
                (v, m) -> longAtLeast(v, 1));
        define(BUFFER_FLUSH_TIME, Type.LONG, "120 (SNOWPIPE), 10 (SNOWPIPE_STREAMING)",
                m -> m == IngestionMethod.SNOWPIPE_STREAMING ? "10" : "120",
                ">= " + SNOWPIPE_MIN_FLUSH_SECONDS + " (SNOWPIPE), >= " + STREAMING_MIN_FLUSH_SECONDS
                        + " (SNOWPIPE_STREAMING)",
                "Flush a partition's buffer when its oldest record has waited this many seconds.",
                (v, m) -> longAtLeast(v, m == IngestionMethod.SNOWPIPE_STREAMING
                        ? STREAMING_MIN_FLUSH_SECONDS : SNOWPIPE_MIN_FLUSH_SECONDS,
                        " for snowflake.ingestion.method=" + m));
        define(METADATA_ALL, Type.BOOLEAN, "true", "true, false",
                "false: write no RECORD_METADATA at all.", (v, m) -> bool(v));
        define(METADATA_TOPIC, Type.BOOLEAN, "true", "true, false",
                "Write topic in RECORD_METADATA.", (v, m) -> bool(v));
        define(METADATA_OFFSET_AND_PARTITION, Type.BOOLEAN, "true", "true, false",
                "Write offset and partition in RECORD_METADATA.", (v, m) -> bool(v));
        define(METADATA_CREATETIME, Type.BOOLEAN, "true", "true, false",
                "Write CreateTime or LogAppendTime in RECORD_METADATA.", (v, m) -> bool(v));
        define(METADATA_CONNECTOR_PUSH_TIME, Type.BOOLEAN, "true", "true, false",
                "Write SnowflakeConnectorPushTime in RECORD_METADATA (Streaming backends only).", (v, m) -> bool(v));
        define(ERRORS_TOLERANCE, Type.ENUM, "none", "none, all (any case)",
                "none: stop on the first bad record (ErrorPolicy.failFast()). all: go on, sending bad records to"
                        + " errors.deadletterqueue.topic.name when it is set (ErrorPolicy.deadLetter), else dropping"
                        + " them with a listener event (ErrorPolicy.skip()).",
                (v, m) -> enumValue(v, Tolerance.class));
        define(ERRORS_LOG_ENABLE, Type.BOOLEAN, "false", "true, false",
                "Read and exposed as errorsLogEnabled(); the bridge always reports tolerated errors to its listener.",
                (v, m) -> bool(v));
        define(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, Type.STRING, "", "a topic name; needs errors.tolerance=all",
                "The dead-letter topic, on the consumer's cluster. Empty: no dead-letter topic.",
                (v, m) -> v);
        define(BEHAVIOR_ON_NULL_VALUES, Type.ENUM, "DEFAULT", "DEFAULT, IGNORE (any case)",
                "Tombstones (null values): DEFAULT loads a row with empty content, IGNORE loads nothing.",
                (v, m) -> enumValue(v, NullValueBehavior.class));
        define(TRANSFORMS, Type.LIST, "", "comma-separated aliases; each needs transforms.<alias>.type",
                "Transforms run in flight, in this order, after the format (see transform() and the Transforms section"
                        + " below): transforms.<alias>.type is a ksbridge transform by short name, or a Kafka Connect"
                        + " Transformation class (needs " + TransformSettings.CONNECT_MODULE + "), configured by"
                        + " transforms.<alias>.* as the connector's are.", (v, m) -> aliases(v));
        define(ENABLE_SCHEMATIZATION, Type.BOOLEAN, BackendSettings.STREAMING_SCHEMATIZATION.defaultText(),
                "true, false",
                "Columns from the records' top-level fields (typed from the record's schema where it declares them):"
                        + " StreamingBackend.Builder.schematization, HighPerformanceStreamingBackend.Builder.schematization"
                        + " (through the table's default pipe) and SnowpipeBackend.Builder.schematization, exposed as"
                        + " enableSchematization().",
                (v, m) -> bool(v));
        define(STREAMING_MAX_CLIENT_LAG, Type.LONG,
                Long.toString(BackendSettings.STREAMING_MAX_CLIENT_LAG.durationDefault().toSeconds()),
                "1 to 600; only with SNOWPIPE_STREAMING",
                "Seconds the Streaming SDK may hold rows before it flushes them: StreamingBackend.Builder.maxClientLag,"
                        + " exposed as streamingMaxClientLag(). The default is the Streaming builder's, 1 s (the SDK's own),"
                        + " not connector v3's 30 s: the bridge already batches by buffer.*, and the SDK keeps a copy of"
                        + " every row it holds.",
                (v, m) -> longBetween(v, 1, 600));
        define(JSON_COLUMNS, Type.LIST, null, "field:TYPE pairs separated by commas (amount:NUMBER(10,2), day:DATE)",
                "ksbridge's own: with snowflake.enable.schematization=true and JSON values, these top-level fields get"
                        + " columns of these Snowflake types (NUMBER(p,s), FLOAT, BOOLEAN, VARCHAR, BINARY as hex, DATE,"
                        + " TIME, TIMESTAMP_NTZ/LTZ/TZ as ISO text, VARIANT, OBJECT, ARRAY, or a synonym such as"
                        + " DECIMAL(p,s), INT, STRING) instead of types inferred from the values (a decimal would be"
                        + " VARIANT); a value its column cannot hold is a bad record for errors.tolerance. Other fields"
                        + " keep inferred types. See RecordFormat.json(TypedColumns), exposed as jsonColumns().",
                (v, m) -> jsonColumns(v));
        define(ROUTE_FIELD, Type.STRING, null, "a field path, dotted for nested fields (meta.kind)",
                "ksbridge's own (the connector has no routing, its issue #954): each record goes to the table its"
                        + " value's field names, through the connector's naming rules and snowflake.topic2table.map (a"
                        + " field value orders goes to ORDERS); a record without the field goes to its topic's table."
                        + " One partition then feeds several tables, exactly once per table. Excludes "
                        + "ksbridge.route.header. Unset: every record goes to its topic's table. See"
                        + " KafkaToSnowflakeBridge.Builder.router().",
                (v, m) -> nonEmpty(v.trim()));
        define(ROUTE_HEADER, Type.STRING, null, "a header name",
                "ksbridge's own: as ksbridge.route.field, by the value of this header. Excludes ksbridge.route.field.",
                (v, m) -> nonEmpty(v));
        define(ALLOW_INSECURE_HTTP, Type.BOOLEAN, "false", "true, false",
                "ksbridge's own: true accepts an http:// snowflake.url.name, for a local emulator or a test endpoint"
                        + " (the JWT or token and every row travel in clear); see SnowflakeAccount.Builder.allowInsecureHttp().",
                (v, m) -> bool(v));
        define(URL, Type.STRING, null, "https://<account>.snowflakecomputing.com, or a host name[:port]",
                "The account URL; see account().", (v, m) -> url(v));
        define(USER, Type.STRING, null, "non-empty text", "The user the key pair belongs to; see account().",
                (v, m) -> nonEmpty(v));
        define(PRIVATE_KEY, Type.PASSWORD, null, "an RSA PKCS#8 key: PEM, or its base64 body on one line (as the"
                        + " connector takes it) or wrapped; plain or encrypted (read from the key itself)",
                "The user's private key; see account(). Encrypted keys: PBES2 with AES-128/256-CBC and PBKDF2"
                        + " (HMAC-SHA1 or SHA-2) decrypt with the JDK; DES-EDE3-CBC (Snowflake's documented `openssl"
                        + " pkcs8 -topk8 -v2 des3`), scrypt and PBES1 (`-v1`) keys need org.bouncycastle:bcpkix-jdk18on"
                        + " on the class path. PKCS#1 (BEGIN RSA PRIVATE KEY) is refused with the command that converts"
                        + " it. Never printed.", (v, m) -> Secret.of(nonEmpty(v.strip())));
        define(PRIVATE_KEY_PASSPHRASE, Type.PASSWORD, "", "text",
                "The passphrase of an encrypted private key; empty when it is not encrypted (a passphrase with a"
                        + " plain key is an error, as is an encrypted key without one). Never printed.",
                (v, m) -> v.isEmpty() ? null : Secret.of(v));
        define(AUTHENTICATOR, Type.ENUM, "snowflake_jwt", "snowflake_jwt, oauth (any case)",
                "How the account signs in: snowflake_jwt with snowflake.private.key, or oauth with the"
                        + " snowflake.oauth.* keys (SnowflakeAccount.Builder.oauth with an OAuthTokenClient). The"
                        + " Streaming backend takes OAuth with a refresh token; the Snowpipe backend refuses it (Snowpipe's"
                        + " REST API takes key-pair JWTs only).",
                (v, m) -> enumValue(v, Authenticator.class));
        define(OAUTH_CLIENT_ID, Type.STRING, null, "non-empty text; needs snowflake.authenticator=oauth",
                "The OAuth client id (of the security integration, or the identity provider's application); see account().",
                (v, m) -> nonEmpty(v));
        define(OAUTH_CLIENT_SECRET, Type.PASSWORD, null, "non-empty text; needs snowflake.authenticator=oauth",
                "The OAuth client secret, sent with the client id as HTTP Basic authentication. Never printed.",
                (v, m) -> Secret.of(nonEmpty(v.strip())));
        define(OAUTH_REFRESH_TOKEN, Type.PASSWORD, "", "text; needs snowflake.authenticator=oauth",
                "The refresh token exchanged for access tokens (grant_type=refresh_token). Empty: the"
                        + " client_credentials grant instead (which the Streaming backend's SDK cannot run). Never printed.",
                (v, m) -> v.strip().isEmpty() ? null : Secret.of(v.strip()));
        define(OAUTH_TOKEN_ENDPOINT, Type.STRING, "<snowflake.url.name>/oauth/token-request", m -> null,
                "an https URL (http for a local emulator); needs snowflake.authenticator=oauth",
                "The token endpoint: Snowflake OAuth's by default; an External OAuth identity provider's token endpoint"
                        + " otherwise.",
                (v, m) -> url(v));
        define(OAUTH_INCLUDE_SCOPE, Type.BOOLEAN, "false", "true, false; needs snowflake.authenticator=oauth",
                "Whether token requests send a scope: snowflake.oauth.scope, or session:role:<snowflake.role.name>.",
                (v, m) -> bool(v));
        define(OAUTH_SCOPE, Type.STRING, null, "non-empty text; needs snowflake.oauth.include.scope=true",
                "The scope token requests send. Unset: session:role:<snowflake.role.name>.", (v, m) -> nonEmpty(v));
        define(ROLE, Type.STRING, null, "non-empty text", "The role to use; see account().", (v, m) -> nonEmpty(v));
        define(DATABASE, Type.STRING, null, IDENTIFIER_VALUES, "The database of the tables; see database().",
                (v, m) -> identifier(v));
        define(SCHEMA, Type.STRING, null, IDENTIFIER_VALUES, "The schema of the tables; see schema().",
                (v, m) -> identifier(v));
        define(PROXY_HOST, Type.STRING, null, "a host name or address; needs jvm.proxy.port",
                "The HTTP proxy for this account's connections (see proxy() and account()). Unlike the connector,"
                        + " which sets it JVM-wide, it is applied to ksbridge's own HTTP clients alone; the Snowpipe and"
                        + " Streaming backends refuse it, because the ingest SDK takes a proxy only from JVM-wide"
                        + " system properties.",
                (v, m) -> proxyHost(v));
        define(PROXY_PORT, Type.LONG, null, "1 to 65535; needs jvm.proxy.host", "The HTTP proxy's port.",
                (v, m) -> longBetween(v, 1, 65_535));
        define(PROXY_USERNAME, Type.STRING, null, "non-empty text; needs jvm.proxy.password",
                "The user for the proxy's Basic authentication.", (v, m) -> nonEmpty(v));
        define(PROXY_PASSWORD, Type.PASSWORD, null, "text; needs jvm.proxy.username",
                "The proxy user's password. Never printed.", (v, m) -> Secret.of(nonEmpty(v)));
        define(NON_PROXY_HOSTS, Type.STRING, "", "host names separated by |, each may start or end with *",
                "Hosts reached directly, not through the proxy, in the JVM's http.nonProxyHosts form:"
                        + " localhost|*.internal|10.*", (v, m) -> nonProxyHosts(v));
    }

    private static final List<Key> KEYS = DEFS.values().stream().map(Def::key).toList();
    /** SnowflakeAccount.Builder's setting names, to the connector keys that feed them. */
    private static final Map<String, String> ACCOUNT_SETTINGS = Map.of("url", URL, "user", USER, "role", ROLE,
            "privateKey", PRIVATE_KEY, "passphrase", PRIVATE_KEY_PASSPHRASE, "oauth", AUTHENTICATOR);
    private static final List<String> OAUTH_KEYS = List.of(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_REFRESH_TOKEN,
            OAUTH_TOKEN_ENDPOINT, OAUTH_INCLUDE_SCOPE, OAUTH_SCOPE);

    private enum Tolerance { NONE, ALL }

    private final IngestionMethod ingestionMethod;
    private final Map<String, Object> values; // key name -> parsed value, null when unset without default
    private final SecretFragments secrets; // of the secrets given, to hide values copied from them in toString()

    private final io.ksbridge.RecordTransform transform; // null when transforms is empty

    private BridgeConfig(IngestionMethod ingestionMethod, Map<String, Object> values, SecretFragments secrets,
            io.ksbridge.RecordTransform transform) {
        this.ingestionMethod = ingestionMethod;
        this.values = values;
        this.secrets = secrets;
        this.transform = transform;
    }

    /**
     * Every key this class reads, in a stable order (the ingestion method first, the account settings last). For
     * generating reference documentation.
     *
     * @return an immutable list, never null
     */
    public static List<Key> keys() {
        return KEYS;
    }

    /**
     * Reads connector properties.
     *
     * @param properties connector-style properties, never null; values are strings (other values are read through
     *                   {@code String.valueOf}); values are trimmed, except the passphrase
     * @return the configuration, never null
     * @throws NullPointerException  if properties is null or holds a null key
     * @throws BridgeConfigException listing every invalid value and every unknown {@code snowflake.*},
     *                               {@code buffer.*} or {@code jvm.*} key
     */
    public static BridgeConfig from(Map<String, ?> properties) {
        Objects.requireNonNull(properties, "properties must not be null");
        Map<String, String> given = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        properties.forEach((k, v) -> {
            Objects.requireNonNull(k, "properties must not contain a null key");
            if (v == null) {
                problems.add(new Problem(k, null, "must not be null; remove the key to use its default"));
            } else {
                given.put(k, String.valueOf(v));
            }
        });
        return parse(given, problems);
    }

    /** Like {@link #from(Map)}, for a {@link Properties} (for example read from a connector's properties file). */
    public static BridgeConfig from(Properties properties) {
        Objects.requireNonNull(properties, "properties must not be null");
        Map<String, Object> copy = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            copy.put(name, properties.getProperty(name));
        }
        return from(copy);
    }

    private static BridgeConfig parse(Map<String, String> given, List<Problem> problems) {
        SecretFragments secrets = secretsOf(given);
        // The ingestion method first: defaults and ranges of other keys depend on it.
        IngestionMethod method = IngestionMethod.SNOWPIPE;
        Map<String, Object> values = new LinkedHashMap<>();
        for (Def def : DEFS.values()) {
            String name = def.key().name();
            String raw = given.get(name);
            String text = raw != null ? raw : def.defaultFor().apply(method);
            Object value = null;
            if (raw != null && !def.key().secret() && SecretFragments.looksLikePrivateKey(raw)) {
                problems.add(new Problem(name, HIDDEN, "looks like a private key; a key belongs in " + PRIVATE_KEY
                        + ", the only setting that keeps it hidden"));
            } else if (text != null) {
                String v = def.key().type() == Type.PASSWORD ? text : text.trim();
                try {
                    value = def.parser().parse(v, method);
                } catch (Invalid e) {
                    problems.add(new Problem(name, shown(def.key(), raw), e.getMessage()));
                }
            }
            values.put(name, value);
            if (name.equals(INGESTION_METHOD) && value != null) {
                method = (IngestionMethod) value;
            }
        }
        crossCheck(given, values, method, problems);
        @SuppressWarnings("unchecked")
        List<String> aliases = values.get(TRANSFORMS) == null ? List.of() : (List<String>) values.get(TRANSFORMS);
        io.ksbridge.RecordTransform transform = TransformSettings.parse(aliases, given, problems);
        for (String name : given.keySet()) {
            if (!DEFS.containsKey(name) && STRICT_PREFIXES.stream().anyMatch(name::startsWith)) {
                // never the value: it may be a secret under a mistyped name (snowflake.private.kye)
                problems.add(new Problem(name, HIDDEN, unknownReason(name)));
            }
        }
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(withoutSecrets(problems, secrets));
        }
        return new BridgeConfig(method, Collections.unmodifiableMap(values), secrets, transform);
    }

    /**
     * The secrets in these properties: the values of the secret keys, and of every other key whose name looks
     * secret and that is not a known non-secret setting (a misspelt {@code snowflak.private.key} is ignored, but its
     * value is still a key).
     */
    private static SecretFragments secretsOf(Map<String, String> given) {
        List<String> secrets = new ArrayList<>();
        given.forEach((name, value) -> {
            Def def = DEFS.get(name);
            if (def != null ? def.key().secret() : looksSecret(name)) {
                secrets.add(value);
            }
        });
        return SecretFragments.of(secrets);
    }

    /** The problems, with every value and reason that would show part of a secret hidden. */
    private static List<Problem> withoutSecrets(List<Problem> problems, SecretFragments secrets) {
        List<Problem> out = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            boolean hideValue = p.value() != null && !HIDDEN.equals(p.value())
                    && (secrets.reveals(p.value()) || SecretFragments.looksLikePrivateKey(p.value()));
            String reason = secrets.reveals(p.reason()) || SecretFragments.looksLikePrivateKey(p.reason())
                    ? "the value is not valid (the details would show part of a secret, so they are not shown)"
                    : p.reason();
            // a setting's name can hold text from a value too: transforms.<alias>.type, the alias from transforms
            // (only there: any other name is a key the user wrote as a key, and must stay readable)
            String setting = p.setting() != null && p.setting().startsWith("transforms.") && secrets.reveals(p.setting())
                    ? secrets.shown(p.setting()) : p.setting();
            out.add(hideValue || !reason.equals(p.reason()) || !setting.equals(p.setting())
                    ? new Problem(setting, hideValue ? HIDDEN : p.value(), reason) : p);
        }
        return out;
    }

    private static void crossCheck(Map<String, String> given, Map<String, Object> values, IngestionMethod method,
                                   List<Problem> problems) {
        if (given.containsKey(TOPICS) && given.containsKey(TOPICS_REGEX)) {
            problems.add(new Problem(TOPICS_REGEX, given.get(TOPICS_REGEX),
                    "topics and topics.regex are mutually exclusive; set only one of them"));
        }
        String dlq = (String) values.get(ERRORS_DEADLETTERQUEUE_TOPIC_NAME);
        if (dlq != null && !dlq.isEmpty() && values.get(ERRORS_TOLERANCE) == Tolerance.NONE) {
            problems.add(new Problem(ERRORS_DEADLETTERQUEUE_TOPIC_NAME, dlq,
                    "a dead-letter topic needs errors.tolerance=all (errors.tolerance is none, which stops on the"
                            + " first bad record)"));
        }
        if (values.get(AUTHENTICATOR) != Authenticator.OAUTH) {
            for (String key : OAUTH_KEYS) {
                if (given.containsKey(key)) {
                    problems.add(new Problem(key, shown(DEFS.get(key).key(), given.get(key)),
                            "only read with snowflake.authenticator=oauth (it is snowflake_jwt, the key pair)"));
                }
            }
        } else {
            if (given.containsKey(PRIVATE_KEY)) {
                problems.add(new Problem(PRIVATE_KEY, HIDDEN, "snowflake.authenticator=oauth signs in with OAuth, not a"
                        + " key pair; remove the key, or set snowflake.authenticator=snowflake_jwt"));
            }
            if (values.get(PRIVATE_KEY_PASSPHRASE) != null) {
                problems.add(new Problem(PRIVATE_KEY_PASSPHRASE, HIDDEN, "snowflake.authenticator=oauth uses no private"
                        + " key; remove the passphrase"));
            }
            if (given.containsKey(OAUTH_SCOPE) && !Boolean.TRUE.equals(values.get(OAUTH_INCLUDE_SCOPE))) {
                problems.add(new Problem(OAUTH_SCOPE, given.get(OAUTH_SCOPE), "has no effect unless"
                        + " snowflake.oauth.include.scope=true (no scope is sent); set that, or remove the scope"));
            }
        }
        Object url = values.get(URL);
        if (url instanceof String u && u.regionMatches(true, 0, "http://", 0, 7)
                && !Boolean.TRUE.equals(values.get(ALLOW_INSECURE_HTTP))) {
            problems.add(new Problem(URL, u, "http:// sends the JWT or token and every row in clear; use https, or set "
                    + ALLOW_INSECURE_HTTP + "=true (for a local emulator or a test endpoint only)"));
        }
        if (method == IngestionMethod.SNOWPIPE) {
            if (given.containsKey(STREAMING_MAX_CLIENT_LAG)) {
                problems.add(new Problem(STREAMING_MAX_CLIENT_LAG, given.get(STREAMING_MAX_CLIENT_LAG),
                        "only available with snowflake.ingestion.method=SNOWPIPE_STREAMING"));
            }
        }
        if (values.get(ROUTE_FIELD) != null && values.get(ROUTE_HEADER) != null) {
            problems.add(new Problem(ROUTE_HEADER, given.get(ROUTE_HEADER), "a record is routed by one thing: "
                    + ROUTE_FIELD + " is also set (" + given.get(ROUTE_FIELD) + "); remove one of them"));
        }
        if (values.get(JSON_COLUMNS) != null && !Boolean.TRUE.equals(values.get(ENABLE_SCHEMATIZATION))) {
            problems.add(new Problem(JSON_COLUMNS, given.get(JSON_COLUMNS), "has no effect without "
                    + ENABLE_SCHEMATIZATION + "=true (the values land in RECORD_CONTENT as they are); set it, or"
                    + " remove " + JSON_COLUMNS));
        }
        crossCheckProxy(given, problems);
    }

    /** Prefixes under which an unknown key is an error: a typo must not silently change behaviour. */
    private static final List<String> STRICT_PREFIXES = List.of("snowflake.", "buffer.", "jvm.");

    private static void crossCheckProxy(Map<String, String> given, List<Problem> problems) {
        boolean host = given.containsKey(PROXY_HOST);
        if (host != given.containsKey(PROXY_PORT)) {
            problems.add(host ? new Problem(PROXY_PORT, null, "required with jvm.proxy.host: the proxy's port")
                    : new Problem(PROXY_HOST, null, "required with jvm.proxy.port: the proxy's host"));
        }
        if (given.containsKey(PROXY_USERNAME) != given.containsKey(PROXY_PASSWORD)) {
            problems.add(given.containsKey(PROXY_USERNAME)
                    ? new Problem(PROXY_PASSWORD, null, "required with jvm.proxy.username: the proxy user's password")
                    : new Problem(PROXY_USERNAME, null, "required with jvm.proxy.password: the proxy user"));
        }
        for (String key : List.of(PROXY_USERNAME, NON_PROXY_HOSTS)) {
            if (given.containsKey(key) && !host && !given.containsKey(PROXY_PORT)) {
                problems.add(new Problem(key, given.get(key),
                        "has no effect without jvm.proxy.host and jvm.proxy.port; set them, or remove " + key));
            }
        }
    }

    // ---- value parsers ----

    private static io.ksbridge.format.TypedColumns jsonColumns(String v) throws Invalid {
        Map<String, String> types = new LinkedHashMap<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i <= v.length(); i++) {
            char c = i < v.length() ? v.charAt(i) : ',';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) { // NUMBER(10,2) keeps its comma
                String pair = v.substring(from, i).trim();
                from = i + 1;
                int colon = pair.indexOf(':');
                if (colon <= 0 || colon == pair.length() - 1) {
                    throw new Invalid("expected field:TYPE, got '" + pair + "' (for example amount:NUMBER(10,2))");
                }
                String field = pair.substring(0, colon).trim();
                if (types.put(field, pair.substring(colon + 1).trim()) != null) {
                    throw new Invalid("field " + field + " is declared twice");
                }
            }
        }
        try {
            return io.ksbridge.format.TypedColumns.declared(types);
        } catch (IllegalArgumentException e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static List<String> aliases(String v) throws Invalid {
        List<String> out = new ArrayList<>();
        for (String a : v.split(",", -1)) {
            String t = a.trim();
            if (t.isEmpty()) {
                if (v.isBlank()) {
                    return List.of();
                }
                throw new Invalid("an empty alias: write aliases separated by single commas, for example mask,drop");
            }
            if (!t.matches("[A-Za-z0-9_-]+")) {
                throw new Invalid("alias " + t + " may hold only letters, digits, _ and -");
            }
            if (out.contains(t)) {
                throw new Invalid("alias " + t + " is listed twice");
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    private static String proxyHost(String v) throws Invalid {
        try {
            io.ksbridge.snowflake.ProxySettings.builder().host(nonEmpty(v));
        } catch (IllegalArgumentException e) {
            throw new Invalid("a host name or IPv4 address without scheme or port, for example proxy.internal");
        }
        return v;
    }

    private static long longBetween(String v, long min, long max) throws Invalid {
        long n = longAtLeast(v, min);
        if (n > max) {
            throw new Invalid("must be <= " + max);
        }
        return n;
    }

    private static List<String> nonProxyHosts(String v) throws Invalid {
        if (v.isEmpty()) {
            return List.of();
        }
        List<String> patterns = new ArrayList<>();
        for (String p : v.split("\\|", -1)) {
            try {
                io.ksbridge.snowflake.ProxySettings.builder().nonProxyHosts(p);
            } catch (IllegalArgumentException e) {
                throw new Invalid(p.isBlank() ? "contains an empty host; separate hosts with single | characters"
                        : "host pattern '" + p.trim() + "' has * in its middle; put * only at the start or the end");
            }
            patterns.add(p.trim());
        }
        return List.copyOf(patterns);
    }

    /** A double-quoted identifier: {@code "..."} with any quote inside doubled, not empty. */
    private static boolean quotedIdentifier(String v) {
        return v.length() > 2 && v.startsWith("\"") && v.endsWith("\"")
                && !v.substring(1, v.length() - 1).replace("\"\"", "").contains("\"");
    }

    private static String identifier(String v) throws Invalid {
        try {
            io.ksbridge.snowflake.SnowflakeIdentifiers.resolve("name", nonEmpty(v));
        } catch (IllegalArgumentException e) {
            throw new Invalid("not a Snowflake identifier: unquoted (letters, digits, _ and $, starting with a letter or _)"
                    + " or double-quoted (\"My-Db\")");
        }
        return v;
    }

    private static String nonEmpty(String v) throws Invalid {
        if (v.isEmpty()) {
            throw new Invalid("must not be empty");
        }
        return v;
    }

    /** The connector's rule for its name, which ends up in Snowflake object names. */
    private static String appName(String v) throws Invalid {
        nonEmpty(v);
        if (!APP_NAME.matcher(v).matches()) {
            throw new Invalid("must start with a letter, _ or - and contain only letters, digits, _, - and $ (at"
                    + " least 2 characters), as the connector requires");
        }
        return v;
    }

    private static boolean bool(String v) throws Invalid {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new Invalid("expected true or false");
    }

    private static long longAtLeast(String v, long min) throws Invalid {
        return longAtLeast(v, min, "");
    }

    private static long longAtLeast(String v, long min, String why) throws Invalid {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new Invalid("expected a whole number");
        }
        if (n < min) {
            throw new Invalid("must be >= " + min + why);
        }
        return n;
    }

    private static <E extends Enum<E>> E enumValue(String v, Class<E> type) throws Invalid {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        String allowed = String.join(", ", Arrays.stream(type.getEnumConstants())
                .map(e -> type == Tolerance.class || type == Authenticator.class ? e.name().toLowerCase(Locale.ROOT)
                        : e.name()).toList());
        throw new Invalid("expected one of " + allowed + " (any case)");
    }

    private static Pattern regex(String v) throws Invalid {
        nonEmpty(v);
        try {
            return Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw new Invalid("not a valid regular expression: " + e.getDescription());
        }
    }

    private static List<String> topicList(String v) throws Invalid {
        List<String> topics = new ArrayList<>();
        if (v.isEmpty()) {
            return List.of();
        }
        for (String t : v.split(",", -1)) {
            String topic = t.trim();
            if (topic.isEmpty()) {
                throw new Invalid("contains an empty topic name; write topic names separated by single commas");
            }
            if (topics.contains(topic)) {
                throw new Invalid("lists topic '" + topic + "' twice");
            }
            topics.add(topic);
        }
        return List.copyOf(topics);
    }

    private static String url(String v) throws Invalid {
        nonEmpty(v);
        try {
            URI uri = new URI(v.contains("://") ? v : "https://" + v);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                throw new Invalid("the scheme must be https (or http with " + ALLOW_INSECURE_HTTP + "=true, for a local"
                        + " emulator)");
            }
            if (uri.getHost() == null) {
                throw new Invalid("the URL has no host name");
            }
        } catch (URISyntaxException e) {
            throw new Invalid("not a valid URL: " + e.getReason());
        }
        return v;
    }

    /**
     * The connector's {@code topic:table,topic:table} form. Stricter than the connector where it would accept
     * nonsense ({@code a:b:}), as lenient where configurations in the wild rely on it (a trailing comma).
     */
    private static Map<String, String> topicToTable(String v) throws Invalid {
        Map<String, String> map = new LinkedHashMap<>();
        if (v.isEmpty()) {
            return Map.of();
        }
        String body = v.endsWith(",") ? v.substring(0, v.length() - 1) : v;
        List<String> errors = new ArrayList<>();
        Map<String, Pattern> patterns = new LinkedHashMap<>();
        for (String entry : body.split(",", -1)) {
            String[] parts = entry.split(":", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                errors.add("entry '" + entry.trim() + "' is not <topic>:<table>");
                continue;
            }
            String topic = parts[0].trim();
            String table = parts[1].trim();
            if (QUALIFIED.matcher(table).matches()) {
                errors.add("table '" + table + "' of topic '" + topic + "' is qualified: map to the table name alone"
                        + " and set snowflake.database.name and snowflake.schema.name");
            } else if (!IDENTIFIER.matcher(table).matches() && !quotedIdentifier(table)) {
                errors.add("table '" + table + "' of topic '" + topic + "' is not a valid table name: at least 2"
                        + " characters, starting with a letter or _, then letters, digits, _ or $; or double-quoted to"
                        + " keep its case");
            }
            if (map.containsKey(topic)) {
                errors.add("topic '" + topic + "' is mapped twice");
                continue;
            }
            Pattern p;
            try {
                p = Pattern.compile(topic);
            } catch (PatternSyntaxException e) {
                errors.add("topic '" + topic + "' is neither a topic name nor a valid regular expression");
                continue;
            }
            for (Map.Entry<String, Pattern> earlier : patterns.entrySet()) {
                if (earlier.getValue().matcher(topic).matches() || p.matcher(earlier.getKey()).matches()) {
                    errors.add("topics '" + earlier.getKey() + "' and '" + topic + "' overlap: one matches the other,"
                            + " so a topic could be mapped to two tables");
                }
            }
            patterns.put(topic, p);
            map.put(topic, table);
        }
        if (!errors.isEmpty()) {
            throw new Invalid(String.join("; ", errors) + ". Expected <topic>:<table>,<topic>:<table>,...");
        }
        return Collections.unmodifiableMap(map);
    }

    // ---- messages ----

    private static String shown(Key key, String raw) {
        if (raw == null) {
            return null;
        }
        return key.secret() ? HIDDEN : raw;
    }

    private static boolean looksSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("key") || n.contains("pass") || n.contains("secret") || n.contains("token")
                || n.contains("credential") || n.contains("jaas");
    }

    private static String unknownReason(String name) {
        String closest = null;
        int best = Integer.MAX_VALUE;
        for (String known : DEFS.keySet()) {
            int d = distance(name.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (d < best) {
                best = d;
                closest = known;
            }
        }
        String hint = best <= 3 ? " Did you mean " + closest + "?" : "";
        return "unknown setting: ksbridge does not read it, so it would have no effect; remove it." + hint
                + " BridgeConfig.keys() lists the settings ksbridge reads.";
    }

    /** Levenshtein distance, for "did you mean" hints. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- typed values ----

    /**
     * {@code transforms} and {@code transforms.<alias>.*}: the chain they describe, in order; empty when
     * {@code transforms} is unset or empty.
     */
    public Optional<io.ksbridge.RecordTransform> transform() {
        return Optional.ofNullable(transform);
    }

    /** {@code snowflake.ingestion.method}; default {@link IngestionMethod#SNOWPIPE}. Never null. */
    public IngestionMethod ingestionMethod() {
        return ingestionMethod;
    }

    /** {@code name}, if set. */
    public Optional<String> name() {
        return Optional.ofNullable((String) values.get(NAME));
    }

    /** {@code topics}, in the order written; empty when unset. Never null. */
    @SuppressWarnings("unchecked")
    public List<String> topics() {
        Object v = values.get(TOPICS);
        return v == null ? List.of() : (List<String>) v;
    }

    /** {@code topics.regex}, if set. */
    public Optional<Pattern> topicPattern() {
        return Optional.ofNullable((Pattern) values.get(TOPICS_REGEX));
    }

    /** {@code snowflake.topic2table.map} as written (topic or topic regex to table), in order; never null. */
    @SuppressWarnings("unchecked")
    public Map<String, String> topicToTable() {
        return (Map<String, String>) values.get(TOPIC2TABLE_MAP);
    }

    /**
     * The table namer: {@link TableNamer#connectorDefault()} with the {@code snowflake.topic2table.map} entries as
     * overrides. Never null.
     */
    public TableNamer tableNamer() {
        Map<String, String> map = topicToTable();
        return map.isEmpty() ? TableNamer.connectorDefault() : TableNamer.connectorDefault().withOverrides(map);
    }

    /**
     * The router {@code ksbridge.route.field} or {@code ksbridge.route.header} says, naming derived tables with
     * {@link #tableNamer()}; empty when neither is set. Never null.
     */
    public Optional<TableRouter> router() {
        String field = (String) values.get(ROUTE_FIELD);
        if (field != null) {
            return Optional.of(TableRouter.byField(field, tableNamer()));
        }
        String header = (String) values.get(ROUTE_HEADER);
        return header == null ? Optional.empty() : Optional.of(TableRouter.byHeader(header, tableNamer()));
    }

    /** {@code buffer.count.records}; default 10,000. */
    public long bufferCountRecords() {
        return (Long) values.get(BUFFER_COUNT_RECORDS);
    }

    /** {@code buffer.size.bytes}; default 5,000,000 (Snowpipe) or 20,000,000 (Streaming). */
    public long bufferSizeBytes() {
        return (Long) values.get(BUFFER_SIZE_BYTES);
    }

    /** {@code buffer.flush.time} as a duration; default 120 s (Snowpipe) or 10 s (Streaming). Never null. */
    public Duration bufferFlushTime() {
        return Duration.ofSeconds((Long) values.get(BUFFER_FLUSH_TIME));
    }

    /**
     * The flush policy of the {@code buffer.*} keys: {@code records(count).or(bytes(size)).or(age(time))}. Never
     * null.
     */
    public FlushPolicy flushPolicy() {
        return FlushPolicy.records(bufferCountRecords())
                .or(FlushPolicy.bytes(bufferSizeBytes()))
                .or(FlushPolicy.age(bufferFlushTime()));
    }

    /** The {@code RECORD_METADATA} fields of the {@code snowflake.metadata.*} flags. Never null. */
    public MetadataOptions metadata() {
        if (!flag(METADATA_ALL)) {
            return MetadataOptions.none();
        }
        return MetadataOptions.all()
                .withTopic(flag(METADATA_TOPIC))
                .withOffsetAndPartition(flag(METADATA_OFFSET_AND_PARTITION))
                .withCreateTime(flag(METADATA_CREATETIME))
                .withConnectorPushTime(flag(METADATA_CONNECTOR_PUSH_TIME));
    }

    /**
     * The error policy of {@code errors.tolerance} and {@code errors.deadletterqueue.topic.name}:
     * {@link ErrorPolicy#failFast()} for {@code none}; for {@code all}, {@link ErrorPolicy#deadLetter(String)} when a
     * dead-letter topic is set, else {@link ErrorPolicy#skip()}. Never null.
     */
    public ErrorPolicy errorPolicy() {
        if (values.get(ERRORS_TOLERANCE) == Tolerance.NONE) {
            return ErrorPolicy.failFast();
        }
        String dlq = (String) values.get(ERRORS_DEADLETTERQUEUE_TOPIC_NAME);
        return dlq.isEmpty() ? ErrorPolicy.skip() : ErrorPolicy.deadLetter(dlq);
    }

    /** {@code errors.log.enable}; default false. */
    public boolean errorsLogEnabled() {
        return flag(ERRORS_LOG_ENABLE);
    }

    /** {@code behavior.on.null.values}; default {@link NullValueBehavior#DEFAULT}. Never null. */
    public NullValueBehavior nullValues() {
        return (NullValueBehavior) values.get(BEHAVIOR_ON_NULL_VALUES);
    }

    /**
     * {@code ksbridge.json.columns}: the declared column types for JSON values, to pass to
     * {@link io.ksbridge.RecordFormat#json(io.ksbridge.format.TypedColumns)}; empty when unset. Never null.
     */
    public Optional<io.ksbridge.format.TypedColumns> jsonColumns() {
        return Optional.ofNullable((io.ksbridge.format.TypedColumns) values.get(JSON_COLUMNS));
    }

    /** {@code snowflake.enable.schematization}, for every backend (Snowpipe, both Streaming architectures); default false. */
    public boolean enableSchematization() {
        return flag(ENABLE_SCHEMATIZATION);
    }

    /**
     * {@code snowflake.streaming.max.client.lag} as a duration, for the Streaming backend; default 1 s, the Streaming
     * builder's ({@link BackendSettings#STREAMING_MAX_CLIENT_LAG}).
     */
    public Duration streamingMaxClientLag() {
        return Duration.ofSeconds((Long) values.get(STREAMING_MAX_CLIENT_LAG));
    }

    /** {@code snowflake.url.name} as written, if set. */
    public Optional<String> accountUrl() {
        return Optional.ofNullable((String) values.get(URL));
    }

    /** {@code snowflake.user.name}, if set. */
    public Optional<String> user() {
        return Optional.ofNullable((String) values.get(USER));
    }

    /** {@code snowflake.private.key}, if set. Never printed. */
    public Optional<Secret> privateKey() {
        return Optional.ofNullable((Secret) values.get(PRIVATE_KEY));
    }

    /** {@code snowflake.private.key.passphrase}, if set and not empty. Never printed. */
    public Optional<Secret> privateKeyPassphrase() {
        return Optional.ofNullable((Secret) values.get(PRIVATE_KEY_PASSPHRASE));
    }

    /** {@code snowflake.authenticator}; default {@link Authenticator#SNOWFLAKE_JWT}. Never null. */
    public Authenticator authenticator() {
        return (Authenticator) values.get(AUTHENTICATOR);
    }

    /** {@code snowflake.oauth.client.id}, if set. */
    public Optional<String> oauthClientId() {
        return Optional.ofNullable((String) values.get(OAUTH_CLIENT_ID));
    }

    /** {@code snowflake.oauth.client.secret}, if set. Never printed. */
    public Optional<Secret> oauthClientSecret() {
        return Optional.ofNullable((Secret) values.get(OAUTH_CLIENT_SECRET));
    }

    /** {@code snowflake.oauth.refresh.token}, if set and not empty. Never printed. */
    public Optional<Secret> oauthRefreshToken() {
        return Optional.ofNullable((Secret) values.get(OAUTH_REFRESH_TOKEN));
    }

    /**
     * The OAuth token endpoint: {@code snowflake.oauth.token.endpoint}, or Snowflake OAuth's
     * {@code <snowflake.url.name>/oauth/token-request}; empty when neither is set.
     */
    public Optional<URI> oauthTokenEndpoint() {
        String given = (String) values.get(OAUTH_TOKEN_ENDPOINT);
        if (given != null) {
            return Optional.of(URI.create(given.contains("://") ? given : "https://" + given));
        }
        return accountUrl().map(u -> {
            URI uri = URI.create(u.contains("://") ? u : "https://" + u);
            return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + "/oauth/token-request");
        });
    }

    /**
     * The scope OAuth token requests send: empty unless {@code snowflake.oauth.include.scope=true}; then
     * {@code snowflake.oauth.scope}, or {@code session:role:<snowflake.role.name>}.
     */
    public Optional<String> oauthScope() {
        if (!flag(OAUTH_INCLUDE_SCOPE)) {
            return Optional.empty();
        }
        String scope = (String) values.get(OAUTH_SCOPE);
        return scope != null ? Optional.of(scope) : role().map(r -> "session:role:" + r);
    }

    /** {@code snowflake.role.name}, if set. */
    public Optional<String> role() {
        return Optional.ofNullable((String) values.get(ROLE));
    }

    /** {@code snowflake.database.name}, if set. */
    public Optional<String> database() {
        return Optional.ofNullable((String) values.get(DATABASE));
    }

    /** {@code snowflake.schema.name}, if set. */
    public Optional<String> schema() {
        return Optional.ofNullable((String) values.get(SCHEMA));
    }

    /**
     * The proxy of {@code jvm.proxy.host}, {@code jvm.proxy.port}, {@code jvm.proxy.username},
     * {@code jvm.proxy.password} and {@code jvm.nonProxy.hosts}, if a host is set. {@link #account()} carries it.
     * Nothing is set JVM-wide.
     *
     * @return the proxy settings, or empty for direct connections
     */
    @SuppressWarnings("unchecked")
    public Optional<io.ksbridge.snowflake.ProxySettings> proxy() {
        String host = (String) values.get(PROXY_HOST);
        if (host == null) {
            return Optional.empty();
        }
        io.ksbridge.snowflake.ProxySettings.Builder b = io.ksbridge.snowflake.ProxySettings.builder().host(host).port(((Long) values.get(PROXY_PORT)).intValue())
                .nonProxyHosts(((List<String>) values.get(NON_PROXY_HOSTS)).toArray(String[]::new));
        if (values.get(PROXY_USERNAME) != null) {
            b.credentials((String) values.get(PROXY_USERNAME), (Secret) values.get(PROXY_PASSWORD));
        }
        return Optional.of(b.build());
    }

    /**
     * The account of {@code snowflake.url.name}, {@code snowflake.user.name}, {@code snowflake.role.name},
     * {@code snowflake.private.key} and {@code snowflake.private.key.passphrase}, for building a backend. Decodes
     * the key on every call. With {@code snowflake.authenticator=oauth}, an account that signs in with an
     * {@link io.ksbridge.snowflake.OAuthTokenClient} of the {@code snowflake.oauth.*} keys instead: the refresh-token
     * grant when {@code snowflake.oauth.refresh.token} is set, else the client-credentials grant, against
     * {@link #oauthTokenEndpoint()}, with {@link #oauthScope()}; each call makes a new client.
     *
     * @return a new account, never null; it carries the {@link #proxy()} when {@code jvm.proxy.host} is set
     * @throws BridgeConfigException naming the missing connector keys, or a key that does not decode (from
     *                               {@link SnowflakeAccount}, its problems named by the connector keys: for
     *                               example {@code snowflake.private.key.passphrase} when the key is encrypted and
     *                               no passphrase is set); never containing the key or passphrase
     */
    public SnowflakeAccount account() {
        List<Problem> problems = new ArrayList<>();
        if (accountUrl().isEmpty()) {
            problems.add(new Problem(URL, null, "required to connect to Snowflake, for example"
                    + " https://myorg-myaccount.snowflakecomputing.com"));
        }
        if (user().isEmpty()) {
            problems.add(new Problem(USER, null, "required to connect to Snowflake: the user the key pair belongs to"));
        }
        boolean oauth = authenticator() == Authenticator.OAUTH;
        if (oauth) {
            if (oauthClientId().isEmpty()) {
                problems.add(new Problem(OAUTH_CLIENT_ID, null, "required with snowflake.authenticator=oauth: the OAuth"
                        + " client id"));
            }
            if (oauthClientSecret().isEmpty()) {
                problems.add(new Problem(OAUTH_CLIENT_SECRET, null, "required with snowflake.authenticator=oauth: the"
                        + " OAuth client secret"));
            }
            if (flag(OAUTH_INCLUDE_SCOPE) && oauthScope().isEmpty()) {
                problems.add(new Problem(OAUTH_INCLUDE_SCOPE, "true", "needs snowflake.oauth.scope, or"
                        + " snowflake.role.name to request session:role:<role>"));
            }
        } else if (privateKey().isEmpty()) {
            problems.add(new Problem(PRIVATE_KEY, null,
                    "required to connect to Snowflake: the user's PKCS#8 private key (key-pair authentication)"));
        }
        if (!problems.isEmpty()) {
            throw new BridgeConfigException(problems);
        }
        SnowflakeAccount.Builder b = SnowflakeAccount.builder()
                .url(accountUrl().get())
                .user(user().get());
        if (flag(ALLOW_INSECURE_HTTP)) {
            b.allowInsecureHttp();
        }
        if (oauth) {
            URI endpoint = oauthTokenEndpoint().orElseThrow();
            OAuthTokenClient.Builder client = oauthRefreshToken().isPresent()
                    ? OAuthTokenClient.refreshToken(endpoint, oauthClientId().get(), oauthClientSecret().get(),
                            oauthRefreshToken().get())
                    : OAuthTokenClient.clientCredentials(endpoint, oauthClientId().get(), oauthClientSecret().get());
            oauthScope().ifPresent(client::scope);
            b.oauth(client.build());
        } else {
            b.privateKey(privateKey().get());
            privateKeyPassphrase().ifPresent(b::passphrase);
        }
        role().ifPresent(b::role);
        try {
            proxy().ifPresent(b::proxy);
            return b.build();
        } catch (BridgeConfigException e) {
            // the builder names its setters; name the connector keys the user wrote instead
            List<Problem> renamed = new ArrayList<>();
            for (Problem p : e.problems()) {
                renamed.add(new Problem(ACCOUNT_SETTINGS.getOrDefault(p.setting(), p.setting()), p.value(), p.reason()));
            }
            throw new BridgeConfigException(withoutSecrets(renamed, secrets));
        }
    }

    /**
     * Sets on {@code builder} what these properties say: {@code name} (if set), {@code topics} or
     * {@code topics.regex} (if set; topics add to the builder's), the {@link #tableNamer()}, the
     * {@link #flushPolicy()}, the {@link #metadata()} options, the {@link #errorPolicy()} and the
     * {@link #nullValues()} behaviour, the {@link #transform()} when {@code transforms} is set and the
     * {@link #router()} when {@code ksbridge.route.*} is. Everything else (consumer properties, backend, limits, listener) is left
     * to the caller, before or after.
     *
     * @param builder the builder to configure, never null
     * @return the same builder, for chaining
     */
    public KafkaToSnowflakeBridge.Builder applyTo(KafkaToSnowflakeBridge.Builder builder) {
        Objects.requireNonNull(builder, "builder must not be null");
        name().ifPresent(builder::name);
        if (!topics().isEmpty()) {
            builder.topics(topics());
        }
        topicPattern().ifPresent(builder::topicPattern);
        transform().ifPresent(builder::transform);
        router().ifPresent(builder::router);
        return builder.tableNamer(tableNamer())
                .flushPolicy(flushPolicy())
                .metadata(metadata())
                .errorPolicy(errorPolicy())
                .nullValues(nullValues());
    }

    private boolean flag(String key) {
        return (Boolean) values.get(key);
    }

    /**
     * Every key with its value in effect (defaults included); secrets, and values containing part of a secret, as
     * {@code [hidden]}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("BridgeConfig{");
        boolean first = true;
        for (Def def : DEFS.values()) {
            Object v = values.get(def.key().name());
            if (!first) {
                s.append(", ");
            }
            first = false;
            s.append(def.key().name()).append('=');
            if (v == null) {
                s.append("null");
            } else if (def.key().secret()) {
                s.append(HIDDEN);
            } else if (v instanceof Tolerance t) {
                s.append(t.name().toLowerCase(Locale.ROOT));
            } else if (v instanceof Authenticator a) {
                s.append(a.name().toLowerCase(Locale.ROOT));
            } else {
                s.append(secrets.shown(String.valueOf(v)));
            }
        }
        return s.append('}').toString();
    }
}
