package io.ksbridge.spring.boot;


import io.ksbridge.NullValueBehavior;
import io.ksbridge.config.BackendSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The {@code ksbridge.*} properties: the bridge, the Snowflake account and each backend. Bound by Spring Boot from
 * any property source (application.yml, environment variables, a secrets store mounted as properties). Defaults
 * are the builders' defaults, which follow the Snowflake connector's documented ones.
 *
 * <p>The private key and its passphrase ({@code ksbridge.snowflake.private-key},
 * {@code ksbridge.snowflake.private-key-passphrase}) are turned into {@link io.ksbridge.Secret}s when the account is
 * built; the starter never logs them, and its {@code SanitizingFunction} masks them in {@code /actuator/env} and
 * {@code /actuator/configprops} even when those endpoints are set to show values.
 *
 * <p>Mutable JavaBean, bound once at start-up; not thread-safe while binding.
 */
@ConfigurationProperties("ksbridge")
public class KsbridgeProperties {

    /** Which backend loads the batches. */
    public enum Backend {
        /** Files on an internal stage, loaded by Snowpipe (ksbridge-ingest-snowpipe). */
        SNOWPIPE,
        /** Snowpipe Streaming Classic channels (ksbridge-ingest-streaming). */
        STREAMING,
        /** Snowpipe Streaming's high-performance architecture (ksbridge-ingest-streaming-hp). */
        STREAMING_HP
    }

    /** Snowpipe file compression (the backend's own enum is not referenced, so this class loads without it). */
    public enum Compression {
        /** zstd: detected by Snowflake on load, faster and smaller than gzip. */
        ZSTD,
        /** gzip, as the connector writes. */
        GZIP
    }

    /** What happens to records that cannot be loaded. */
    public enum ErrorTolerance {
        /** Stop the bridge with the record's topic, partition and offset (the connector's errors.tolerance=none). */
        FAIL_FAST,
        /** Send the record to ksbridge.errors.dead-letter-topic and go on. */
        DEAD_LETTER,
        /** Skip the record, count it and report it to listeners. */
        SKIP
    }

    /** Whether to build and start an own-loop bridge with the application context. */
    private boolean enabled = false;

    /** The bridge's name, for logs, its loop thread and the backend's clients. */
    private String name = "ksbridge";

    /** Topics to load (own loop). Excludes topic-pattern. */
    private List<String> topics = new ArrayList<>();

    /** A regular expression of topics to load (own loop). Excludes topics. */
    private String topicPattern;

    /**
     * Kafka consumer properties for the bridge's own consumer, at least bootstrap.servers and group.id. Deserializers
     * are always byte arrays and enable.auto.commit is always false.
     */
    private Map<String, String> consumer = new LinkedHashMap<>();

    /** Topic (or topic regex) to table, overriding the connector's default table names. */
    private Map<String, String> tableOverrides = new LinkedHashMap<>();

    /** The backend: snowpipe, streaming (Classic) or streaming-hp. Its module must be on the class path. */
    private Backend backend = Backend.SNOWPIPE;

    /** The memory cap: bytes held in buffers and in-flight batches. */
    private DataSize maxBufferedBytes = DataSize.ofMegabytes(256);

    /** The largest row accepted; larger records go by the error policy. Default 16 MB, or the memory cap if smaller. */
    private DataSize maxRecordBytes;

    /** The most batches handed to the backend and not yet complete. */
    private int maxInFlightBatches = 32;

    /** The own loop's poll timeout, which bounds how late timers fire. */
    private Duration pollTimeout = Duration.ofMillis(100);

    /** How often the own loop commits durable offsets to Kafka. */
    private Duration commitInterval = Duration.ofSeconds(1);

    /** How long a partition revocation waits for loads in flight. */
    private Duration closeTimeout = Duration.ofSeconds(30);

    /** How long the application's shutdown waits for the bridge's graceful drain (flush, loads, final commit). */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    /** What to write for null values (tombstones): DEFAULT writes a row with {}, IGNORE skips them. */
    private NullValueBehavior nullValues = NullValueBehavior.DEFAULT;

    private final Flush flush = new Flush();
    private final Errors errors = new Errors();
    private final Metadata metadata = new Metadata();
    private final Health health = new Health();
    private final Snowflake snowflake = new Snowflake();
    private final Snowpipe snowpipe = new Snowpipe();
    private final Streaming streaming = new Streaming();
    private final StreamingHp streamingHp = new StreamingHp();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<String> getTopics() {
        return topics;
    }

    public void setTopics(List<String> topics) {
        this.topics = topics;
    }

    public String getTopicPattern() {
        return topicPattern;
    }

    public void setTopicPattern(String topicPattern) {
        this.topicPattern = topicPattern;
    }

    public Map<String, String> getConsumer() {
        return consumer;
    }

    public void setConsumer(Map<String, String> consumer) {
        this.consumer = consumer;
    }

    public Map<String, String> getTableOverrides() {
        return tableOverrides;
    }

    public void setTableOverrides(Map<String, String> tableOverrides) {
        this.tableOverrides = tableOverrides;
    }

    public Backend getBackend() {
        return backend;
    }

    public void setBackend(Backend backend) {
        this.backend = backend;
    }

    public DataSize getMaxBufferedBytes() {
        return maxBufferedBytes;
    }

    public void setMaxBufferedBytes(DataSize maxBufferedBytes) {
        this.maxBufferedBytes = maxBufferedBytes;
    }

    public DataSize getMaxRecordBytes() {
        return maxRecordBytes;
    }

    public void setMaxRecordBytes(DataSize maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    public int getMaxInFlightBatches() {
        return maxInFlightBatches;
    }

    public void setMaxInFlightBatches(int maxInFlightBatches) {
        this.maxInFlightBatches = maxInFlightBatches;
    }

    public Duration getPollTimeout() {
        return pollTimeout;
    }

    public void setPollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
    }

    public Duration getCommitInterval() {
        return commitInterval;
    }

    public void setCommitInterval(Duration commitInterval) {
        this.commitInterval = commitInterval;
    }

    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public NullValueBehavior getNullValues() {
        return nullValues;
    }

    public void setNullValues(NullValueBehavior nullValues) {
        this.nullValues = nullValues;
    }

    public Flush getFlush() {
        return flush;
    }

    public Errors getErrors() {
        return errors;
    }

    public Metadata getMetadata() {
        return metadata;
    }

    public Health getHealth() {
        return health;
    }

    public Snowflake getSnowflake() {
        return snowflake;
    }

    public Snowpipe getSnowpipe() {
        return snowpipe;
    }

    public Streaming getStreaming() {
        return streaming;
    }

    public StreamingHp getStreamingHp() {
        return streamingHp;
    }

    /** {@code ksbridge.flush.*}: when a partition's buffer becomes a batch (whichever comes first). */
    public static class Flush {
        /** Records in a partition's buffer that trigger a flush (the connector's buffer.count.records). */
        private long records = 10_000;

        /** Bytes in a partition's buffer that trigger a flush (the connector's buffer.size.bytes). */
        private DataSize bytes = DataSize.ofBytes(5_000_000);

        /** Age of a buffer's oldest record that triggers a flush (the connector's buffer.flush.time). */
        private Duration age = Duration.ofSeconds(120);

        public long getRecords() {
            return records;
        }

        public void setRecords(long records) {
            this.records = records;
        }

        public DataSize getBytes() {
            return bytes;
        }

        public void setBytes(DataSize bytes) {
            this.bytes = bytes;
        }

        public Duration getAge() {
            return age;
        }

        public void setAge(Duration age) {
            this.age = age;
        }
    }

    /** {@code ksbridge.errors.*}: records that cannot be loaded. */
    public static class Errors {
        /** fail-fast, dead-letter or skip. */
        private ErrorTolerance tolerance = ErrorTolerance.FAIL_FAST;

        /** The dead-letter topic, required when tolerance is dead-letter. */
        private String deadLetterTopic;

        public ErrorTolerance getTolerance() {
            return tolerance;
        }

        public void setTolerance(ErrorTolerance tolerance) {
            this.tolerance = tolerance;
        }

        public String getDeadLetterTopic() {
            return deadLetterTopic;
        }

        public void setDeadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
        }
    }

    /** {@code ksbridge.metadata.*}: the RECORD_METADATA fields, as the connector's snowflake.metadata.* flags. */
    public static class Metadata {
        /** false writes no RECORD_METADATA at all (snowflake.metadata.all). */
        private boolean all = true;

        /** The topic field (snowflake.metadata.topic). */
        private boolean topic = true;

        /** The offset and partition fields (snowflake.metadata.offset.and.partition). */
        private boolean offsetAndPartition = true;

        /** CreateTime or LogAppendTime (snowflake.metadata.createtime). */
        private boolean createTime = true;

        /** SnowflakeConnectorPushTime, Streaming only (snowflake.streaming.metadata.connectorPushTime). */
        private boolean connectorPushTime = true;

        public boolean isAll() {
            return all;
        }

        public void setAll(boolean all) {
            this.all = all;
        }

        public boolean isTopic() {
            return topic;
        }

        public void setTopic(boolean topic) {
            this.topic = topic;
        }

        public boolean isOffsetAndPartition() {
            return offsetAndPartition;
        }

        public void setOffsetAndPartition(boolean offsetAndPartition) {
            this.offsetAndPartition = offsetAndPartition;
        }

        public boolean isCreateTime() {
            return createTime;
        }

        public void setCreateTime(boolean createTime) {
            this.createTime = createTime;
        }

        public boolean isConnectorPushTime() {
            return connectorPushTime;
        }

        public void setConnectorPushTime(boolean connectorPushTime) {
            this.connectorPushTime = connectorPushTime;
        }
    }

    /** {@code ksbridge.health.*}: the Actuator health indicator. */
    public static class Health {
        /**
         * Records not yet durable in Snowflake, on any one partition, above which the indicator reports
         * OUT_OF_SERVICE. Unset: lag is reported in the details only.
         */
        private Long maxLag;

        public Long getMaxLag() {
            return maxLag;
        }

        public void setMaxLag(Long maxLag) {
            this.maxLag = maxLag;
        }
    }

    /** {@code ksbridge.snowflake.*}: the account (key-pair authentication) and where the tables live. */
    public static class Snowflake {
        /** The account URL, for example https://myorg-myaccount.snowflakecomputing.com. */
        private String url;

        /** Accept an {@code http://} url: for a local emulator or a test endpoint only (tokens and rows in clear). */
        private boolean allowInsecureHttp;

        /** The user the key pair belongs to. */
        private String user;

        /** The role to use. */
        private String role;

        /** The warehouse, where a statement needs one. */
        private String warehouse;

        /** The user's PKCS#8 private key (PEM, or bare base64). Secret: never logged, masked by the actuator. */
        private String privateKey;

        /** The private key's passphrase, when the key is encrypted. Secret: never logged, masked by the actuator. */
        private String privateKeyPassphrase;

        /** The database of the target tables (an unquoted identifier). */
        private String database;

        /** The schema of the target tables (an unquoted identifier). */
        private String schema;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public boolean isAllowInsecureHttp() {
            return allowInsecureHttp;
        }

        public void setAllowInsecureHttp(boolean allowInsecureHttp) {
            this.allowInsecureHttp = allowInsecureHttp;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getRole() {
            return role;
        }

        public void setRole(String role) {
            this.role = role;
        }

        public String getWarehouse() {
            return warehouse;
        }

        public void setWarehouse(String warehouse) {
            this.warehouse = warehouse;
        }

        public String getPrivateKey() {
            return privateKey;
        }

        public void setPrivateKey(String privateKey) {
            this.privateKey = privateKey;
        }

        public String getPrivateKeyPassphrase() {
            return privateKeyPassphrase;
        }

        public void setPrivateKeyPassphrase(String privateKeyPassphrase) {
            this.privateKeyPassphrase = privateKeyPassphrase;
        }

        public String getDatabase() {
            return database;
        }

        public void setDatabase(String database) {
            this.database = database;
        }

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }

        @Override
        public String toString() {
            return "Snowflake{url=" + url + ", user=" + user + ", role=" + role + ", privateKey="
                    + (privateKey == null ? null : "[hidden]") + ", privateKeyPassphrase="
                    + (privateKeyPassphrase == null ? null : "[hidden]") + ", database=" + database + ", schema=" + schema
                    + "}";
        }
    }

    /** {@code ksbridge.snowpipe.*}: the Snowpipe backend (ksbridge.backend=snowpipe). */
    public static class Snowpipe {
        /** The name stage, pipe and file names carry (an unquoted identifier); the connector's name to share its objects. */
        private String connectorName = (String) BackendSettings.SNOWPIPE_CONNECTOR_NAME.defaultValue();

        /** File compression: zstd, or gzip as the connector writes. */
        private Compression compression = Compression.valueOf((String) BackendSettings.SNOWPIPE_COMPRESSION.defaultValue());

        /** Threads compressing, staging and submitting files (1 to 64). */
        private int writerThreads = BackendSettings.SNOWPIPE_WRITER_THREADS.intDefault();

        /** How often insertReport is called for a pipe with files not yet settled. */
        private Duration statusPollInterval = BackendSettings.SNOWPIPE_STATUS_POLL_INTERVAL.durationDefault();

        /** After how long a file not yet reported is looked up with loadHistoryScan. */
        private Duration historyFallback = BackendSettings.SNOWPIPE_HISTORY_FALLBACK.durationDefault();

        /** How long a submitted file may take to load before it is treated as failed. */
        private Duration loadTimeout = BackendSettings.SNOWPIPE_LOAD_TIMEOUT.durationDefault();

        /** How far back opening a partition reads the pipe's load history (1 minute to 14 days). */
        private Duration historyWindow = BackendSettings.SNOWPIPE_HISTORY_WINDOW.durationDefault();

        /** How long closing the backend waits for submitted files to finish loading (0 to 10 minutes). */
        private Duration closeTimeout = BackendSettings.SNOWPIPE_CLOSE_TIMEOUT.durationDefault();

        public String getConnectorName() {
            return connectorName;
        }

        public void setConnectorName(String connectorName) {
            this.connectorName = connectorName;
        }

        public Compression getCompression() {
            return compression;
        }

        public void setCompression(Compression compression) {
            this.compression = compression;
        }

        public int getWriterThreads() {
            return writerThreads;
        }

        public void setWriterThreads(int writerThreads) {
            this.writerThreads = writerThreads;
        }

        /** @deprecated the old name of {@code writer-threads}, kept so existing configuration still works */
        @Deprecated
        public void setUploadParallelism(int uploadParallelism) {
            this.writerThreads = uploadParallelism;
        }

        public Duration getStatusPollInterval() {
            return statusPollInterval;
        }

        public void setStatusPollInterval(Duration statusPollInterval) {
            this.statusPollInterval = statusPollInterval;
        }

        public Duration getHistoryFallback() {
            return historyFallback;
        }

        public void setHistoryFallback(Duration historyFallback) {
            this.historyFallback = historyFallback;
        }

        public Duration getLoadTimeout() {
            return loadTimeout;
        }

        public void setLoadTimeout(Duration loadTimeout) {
            this.loadTimeout = loadTimeout;
        }

        public Duration getHistoryWindow() {
            return historyWindow;
        }

        public void setHistoryWindow(Duration historyWindow) {
            this.historyWindow = historyWindow;
        }

        public Duration getCloseTimeout() {
            return closeTimeout;
        }

        public void setCloseTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
        }

        /** @deprecated the old name of {@code close-timeout}, kept so existing configuration still works */
        @Deprecated
        public void setCloseWait(Duration closeWait) {
            this.closeTimeout = closeWait;
        }
    }

    /** {@code ksbridge.streaming.*}: the Snowpipe Streaming Classic backend (ksbridge.backend=streaming). */
    public static class Streaming {
        /** The Streaming client's name shown in Snowflake's views. Default KSBRIDGE_name_random. */
        private String clientName;

        /** How long the SDK may hold rows before it flushes them (1 second to 10 minutes). */
        private Duration maxClientLag = BackendSettings.STREAMING_MAX_CLIENT_LAG.durationDefault();

        /** How often committed offset tokens are read for channels with batches waiting (10 ms to 10 minutes). */
        private Duration statusPollInterval = BackendSettings.STREAMING_STATUS_POLL_INTERVAL.durationDefault();

        /** How long closing the backend waits for channels and the client to close (0 to 10 minutes). */
        private Duration closeTimeout = BackendSettings.STREAMING_CLOSE_TIMEOUT.durationDefault();

        /** Threads handing rows to the SDK (1 to 64). */
        private int writerThreads = BackendSettings.STREAMING_WRITER_THREADS.intDefault();

        /** Columns from top-level JSON fields, added as new fields appear (snowflake.enable.schematization). */
        private boolean schematization = (Boolean) BackendSettings.STREAMING_SCHEMATIZATION.defaultValue();

        public String getClientName() {
            return clientName;
        }

        public void setClientName(String clientName) {
            this.clientName = clientName;
        }

        public Duration getMaxClientLag() {
            return maxClientLag;
        }

        public void setMaxClientLag(Duration maxClientLag) {
            this.maxClientLag = maxClientLag;
        }

        public Duration getStatusPollInterval() {
            return statusPollInterval;
        }

        public void setStatusPollInterval(Duration statusPollInterval) {
            this.statusPollInterval = statusPollInterval;
        }

        /** @deprecated the old name of {@code status-poll-interval}, kept so existing configuration still works */
        @Deprecated
        public void setCommitPollInterval(Duration commitPollInterval) {
            this.statusPollInterval = commitPollInterval;
        }

        public Duration getCloseTimeout() {
            return closeTimeout;
        }

        public void setCloseTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
        }

        public int getWriterThreads() {
            return writerThreads;
        }

        public void setWriterThreads(int writerThreads) {
            this.writerThreads = writerThreads;
        }

        public boolean isSchematization() {
            return schematization;
        }

        public void setSchematization(boolean schematization) {
            this.schematization = schematization;
        }
    }

    /** {@code ksbridge.streaming-hp.*}: the high-performance Streaming backend (ksbridge.backend=streaming-hp). */
    public static class StreamingHp {
        /** How long one SDK call that can block may take before it is retried later (1 second to 1 hour). */
        private Duration callTimeout = Duration.ofMinutes(2);

        /** How often committed offset tokens are read, one request per pipe (10 ms to 10 s). */
        private Duration commitPollInterval = Duration.ofMillis(200);

        /** How long closing the backend waits for the clients to send what they hold (0 to 10 minutes). */
        private Duration closeTimeout = Duration.ofSeconds(10);

        /** Threads appending rows (1 to 32). */
        private int writerThreads = 2;

        /** Bytes of rows per channel and second, to stay on Snowflake's REST endpoint; 0: no limit. */
        private long maxChannelBytesPerSecond = 0;

        /** Connector v4's name, to take over its channels ({@code <connector>_<topic>_<partition>}). */
        private String connectorName;

        /**
         * Take over Snowpipe Streaming Classic channels' committed tokens: {@code best-effort} or {@code strict};
         * unset: off.
         */
        private String takeOverClassicChannels;

        /**
         * Columns from top-level fields, typed from the record's schema, through each table's default pipe
         * (snowflake.enable.schematization).
         */
        private boolean schematization = (Boolean) BackendSettings.STREAMING_SCHEMATIZATION.defaultValue();

        public boolean isSchematization() {
            return schematization;
        }

        public void setSchematization(boolean schematization) {
            this.schematization = schematization;
        }

        public Duration getCallTimeout() {
            return callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public Duration getCommitPollInterval() {
            return commitPollInterval;
        }

        public void setCommitPollInterval(Duration commitPollInterval) {
            this.commitPollInterval = commitPollInterval;
        }

        public Duration getCloseTimeout() {
            return closeTimeout;
        }

        public void setCloseTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
        }

        public int getWriterThreads() {
            return writerThreads;
        }

        public void setWriterThreads(int writerThreads) {
            this.writerThreads = writerThreads;
        }

        public long getMaxChannelBytesPerSecond() {
            return maxChannelBytesPerSecond;
        }

        public void setMaxChannelBytesPerSecond(long maxChannelBytesPerSecond) {
            this.maxChannelBytesPerSecond = maxChannelBytesPerSecond;
        }

        public String getConnectorName() {
            return connectorName;
        }

        public void setConnectorName(String connectorName) {
            this.connectorName = connectorName;
        }

        public String getTakeOverClassicChannels() {
            return takeOverClassicChannels;
        }

        public void setTakeOverClassicChannels(String takeOverClassicChannels) {
            this.takeOverClassicChannels = takeOverClassicChannels;
        }
    }
}
