package io.ksbridge.runner;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.BridgeException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.metrics.micrometer.MicrometerMetrics;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Snowflake Kafka connector properties file as a bridge, with no code:
 * {@code java -jar ksbridge-runner.jar connector.properties}.
 *
 * <p>It reads the file with {@link BridgeConfig} and the runner's own keys ({@code bootstrap.servers},
 * {@code consumer.override.*}, {@code ksbridge.runner.*}), names every key it does not honour (a warning, or an
 * error that stops it before it starts), prints a summary with secrets hidden, serves {@code /health} and
 * {@code /metrics} (Prometheus) when {@code ksbridge.runner.http.port} is set, logs progress, and on SIGTERM (or
 * Ctrl-C) drains: flushes what it holds, waits up to {@code ksbridge.runner.shutdown.timeout} for loads and commits
 * the offsets of what is durable in Snowflake. Exit status: 2 for a configuration the runner refuses, 1 when the
 * bridge fails, the JVM's 143 after SIGTERM.
 */
public final class Runner {
    private static final Logger LOG = LoggerFactory.getLogger("io.ksbridge.runner");

    /** Where the runner is in its life, for /health. */
    enum State { STARTING, RUNNING, STOPPING, STOPPED, FAILED }

    private final RunnerSettings settings;
    private final KafkaToSnowflakeBridge bridge;
    private final RunnerListener listener;
    private final SimpleMeterRegistry registry;
    private final String backendName;
    private volatile State state = State.STARTING;

    private Runner(RunnerSettings settings, KafkaToSnowflakeBridge bridge, RunnerListener listener,
                   SimpleMeterRegistry registry, String backendName) {
        this.settings = settings;
        this.bridge = bridge;
        this.listener = listener;
        this.registry = registry;
        this.backendName = backendName;
    }

    /**
     * The entry point.
     *
     * @param args one argument: the connector properties file
     */
    public static void main(String[] args) {
        if (args.length != 1 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.println("usage: java -jar ksbridge-runner.jar <connector.properties>");
            System.err.println("  Runs a Snowflake Kafka connector configuration with ksbridge. Besides the connector's keys:");
            System.err.println("  bootstrap.servers (required), consumer.override.<consumer setting>, "
                    + RunnerSettings.HTTP_PORT + ", " + RunnerSettings.HTTP_HOST + ", " + RunnerSettings.SHUTDOWN_TIMEOUT
                    + ", " + RunnerSettings.PROGRESS_INTERVAL + ".");
            System.exit(2);
            return;
        }
        Path file = Path.of(args[0]);
        Runner runner;
        try {
            runner = create(file, read(file));
        } catch (BridgeConfigException e) {
            System.err.println("ksbridge-runner: " + file + " cannot be run: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("ksbridge-runner: cannot read " + file + ": "
                    + (e instanceof NoSuchFileException ? "no such file" : e.toString()));
            System.exit(2);
            return;
        }
        System.exit(runner.run());
    }

    static Map<String, String> read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            map.put(name, p.getProperty(name));
        }
        return map;
    }

    /** Checks everything and builds the bridge; nothing is contacted yet. */
    static Runner create(Path file, Map<String, String> properties) {
        RunnerSettings settings = RunnerSettings.parse(properties);
        settings.warnings.forEach(w -> LOG.warn("not honoured: {}", w));
        BridgeConfig config = settings.config;
        SnowflakeAccount account = config.account();
        IngestBackend backend;
        String backendName;
        if (config.ingestionMethod() == BridgeConfig.IngestionMethod.SNOWPIPE_STREAMING && settings.highPerformance) {
            HighPerformanceStreamingBackend.Builder b = HighPerformanceStreamingBackend.builder().account(account)
                    .database(config.database().get()).schema(config.schema().get())
                    .schematization(config.enableSchematization());
            if (!settings.classicOffsetMigration.equals("skip")) {
                b.takeOverClassicChannels(settings.classicOffsetMigration.equals("strict")
                        ? HighPerformanceStreamingBackend.ClassicChannels.STRICT
                        : HighPerformanceStreamingBackend.ClassicChannels.BEST_EFFORT);
            }
            backend = b.build();
            backendName = "Snowpipe Streaming, high-performance architecture (named channels on each table's default"
                    + " pipe, offset tokens)" + (settings.classicOffsetMigration.equals("skip") ? ""
                    : ", taking over Classic channels (" + settings.classicOffsetMigration + ")")
                    + (config.enableSchematization() ? ", schematization on" : "");
        } else if (config.ingestionMethod() == BridgeConfig.IngestionMethod.SNOWPIPE_STREAMING) {
            backend = StreamingBackend.builder().account(account).database(config.database().get())
                    .schema(config.schema().get()).maxClientLag(config.streamingMaxClientLag())
                    .schematization(config.enableSchematization()).build();
            backendName = "Snowpipe Streaming (channels with offset tokens), max client lag "
                    + config.streamingMaxClientLag().toSeconds() + "s" + (config.enableSchematization()
                    ? ", schematization on" : "");
        } else {
            SnowpipeBackend.Builder b = SnowpipeBackend.builder().account(account).database(config.database().get())
                    .schema(config.schema().get()).schematization(config.enableSchematization());
            if (settings.nameIsIdentifier()) {
                b.connectorName(settings.name.toUpperCase(java.util.Locale.ROOT));
            } else {
                LOG.warn("not honoured: name={} in Snowpipe object names: it is not an unquoted identifier, so stages"
                        + " and pipes are named with KSBRIDGE", settings.name);
            }
            backend = b.build();
            backendName = "Snowpipe (files on an internal stage, loaded by pipes)";
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerMetrics metrics = MicrometerMetrics.create(registry, Tags.of("bridge", settings.name));
        RunnerListener listener = new RunnerListener(metrics, settings.logErrors());
        KafkaToSnowflakeBridge bridge = config.applyTo(KafkaToSnowflakeBridge.builder())
                .name(settings.name)
                .consumerProperties(settings.consumerProperties)
                .keyFormat(settings.keyFormat)
                .format(settings.valueFormat)
                .closeTimeout(settings.shutdownTimeout)
                .backend(backend)
                .listener(listener)
                .build();
        metrics.bindTo(bridge);
        Runner runner = new Runner(settings, bridge, listener, registry, backendName);
        LOG.info("{}", runner.summary(file, account));
        return runner;
    }

    /** Starts, waits, stops; returns the exit status. */
    int run() {
        HttpEndpoints http = null;
        ScheduledExecutorService progress = null;
        try {
            if (settings.httpPort >= 0) {
                try {
                    http = HttpEndpoints.start(settings.httpHost, settings.httpPort, this::health, registry);
                } catch (IOException e) {
                    LOG.error("cannot serve /health and /metrics on {}:{} ({}): {}", settings.httpHost, settings.httpPort,
                            RunnerSettings.HTTP_PORT, e.toString());
                    return 2;
                }
                LOG.info("health on http://{}:{}/health, Prometheus metrics on http://{}:{}/metrics", settings.httpHost,
                        http.port(), settings.httpHost, http.port());
            }
            HttpEndpoints endpoints = http;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(endpoints), "ksbridge-runner-stop"));
            bridge.start();
            state = State.RUNNING;
            LOG.info("running; send SIGTERM (or Ctrl-C) to stop cleanly");
            if (!settings.progressInterval.isZero()) {
                progress = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "ksbridge-runner-progress");
                    t.setDaemon(true);
                    return t;
                });
                long every = settings.progressInterval.toMillis();
                progress.scheduleAtFixedRate(this::logProgress, every, every, TimeUnit.MILLISECONDS);
            }
            while (!bridge.awaitTermination(Duration.ofSeconds(1))) {
                // the bridge runs on its own thread; this one waits for it to stop or fail
            }
            return 0; // stopped by the shutdown hook, which finishes the stop
        } catch (BridgeException e) {
            state = State.FAILED;
            LOG.error("stopped on a failure (exit status 1): {}", e.getMessage()); // the engine logged the trace
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (progress != null) {
                progress.shutdownNow();
            }
        }
    }

    /** The shutdown hook: drain, commit what is durable, stop serving. Bounded by the shutdown timeout. */
    private void stop(HttpEndpoints http) {
        if (state == State.FAILED) {
            bridge.close(Duration.ZERO);
        } else {
            state = State.STOPPING;
            LOG.info("stopping: flushing buffers, waiting up to {}s for loads, committing durable offsets",
                    settings.shutdownTimeout.toSeconds());
            long start = System.nanoTime();
            bridge.close(settings.shutdownTimeout);
            Map<TopicPartition, Long> committed = new TreeMap<>(
                    java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            committed.putAll(listener.committed);
            state = State.STOPPED;
            LOG.info("stopped cleanly in {} ms: {} records made durable by this run; last committed offsets: {}",
                    (System.nanoTime() - start) / 1_000_000, listener.durableRecords.get(), committed);
        }
        if (http != null) {
            http.close();
        }
    }

    private void logProgress() {
        LOG.info("progress: {} records ({} bytes) durable, {} commits, {} partitions assigned{}, {} bytes buffered{}",
                listener.durableRecords.get(), listener.durableBytes.get(), listener.commits.get(),
                listener.assigned.size(), listener.paused.get().isEmpty() ? "" : " (" + listener.paused.get().size()
                        + " paused at the memory cap)", bridge.bufferedBytes(),
                listener.tolerated.get() == 0 ? "" : ", " + listener.tolerated.get() + " bad records tolerated");
    }

    HttpEndpoints.Health health() {
        State s = bridge.failure() != null ? State.FAILED : state;
        StringBuilder json = new StringBuilder("{\"status\":\"").append(s == State.RUNNING ? "UP" : s == State.FAILED
                ? "DOWN" : s.name()).append("\",\"state\":\"").append(s.name()).append("\",\"name\":")
                .append(quote(settings.name)).append(",\"partitions\":").append(listener.assigned.size())
                .append(",\"pausedPartitions\":").append(listener.paused.get().size())
                .append(",\"durableRecords\":").append(listener.durableRecords.get())
                .append(",\"bufferedBytes\":").append(bridge.bufferedBytes());
        if (bridge.failure() != null) {
            json.append(",\"failure\":").append(quote(String.valueOf(bridge.failure().getMessage())));
        }
        json.append('}');
        return new HttpEndpoints.Health(s == State.RUNNING ? 200 : 503, json.toString());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** The start-up summary: what runs where, secrets hidden. */
    String summary(Path file, SnowflakeAccount account) {
        BridgeConfig c = settings.config;
        StringBuilder s = new StringBuilder();
        String version = Runner.class.getPackage().getImplementationVersion();
        s.append("ksbridge runner ").append(version == null ? "(development build)" : version).append(": ")
                .append(settings.name).append(" from ").append(file.toAbsolutePath()).append('\n');
        Map<String, Object> consumer = new TreeMap<>(settings.consumerProperties);
        List<String> shown = new ArrayList<>();
        consumer.forEach((k, v) -> shown.add(k + "=" + RunnerSettings.shown(k, String.valueOf(v))));
        s.append("  kafka:    ").append(String.join(", ", shown)).append('\n');
        if (c.topicPattern().isPresent()) {
            s.append("  topics:   matching ").append(c.topicPattern().get().pattern()).append('\n');
        } else {
            s.append("  topics:   ").append(String.join(", ", c.topics())).append('\n');
        }
        List<String> tables = new ArrayList<>();
        for (String topic : c.topics()) {
            tables.add(topic + " -> " + c.database().get() + "." + c.schema().get() + "." + c.tableNamer().tableName(topic));
        }
        s.append("  tables:   ").append(tables.isEmpty() ? "the connector's names for each matching topic"
                + (c.topicToTable().isEmpty() ? "" : ", with snowflake.topic2table.map " + c.topicToTable()) + ", in "
                + c.database().get() + "." + c.schema().get() : String.join(", ", tables)).append('\n');
        s.append("  backend:  ").append(backendName).append('\n');
        s.append("  account:  ").append(account.url()).append(", user ").append(account.user())
                .append(account.role().map(r -> ", role " + r).orElse("")).append(", key pair ")
                .append(account.publicKeyFingerprint()).append(" (private key hidden)\n");
        s.append("  formats:  keys ").append(settings.keyFormatName).append(", values ").append(settings.valueFormatName)
                .append('\n');
        s.append("  flush:    ").append(c.flushPolicy()).append(" (buffer.count.records=").append(c.bufferCountRecords())
                .append(", buffer.size.bytes=").append(c.bufferSizeBytes()).append(", buffer.flush.time=")
                .append(c.bufferFlushTime().toSeconds()).append(")\n");
        s.append("  errors:   ").append(c.errorPolicy()).append(", null values ").append(c.nullValues())
                .append(c.errorsLogEnabled() ? ", each tolerated record logged" : "").append('\n');
        s.append("  metadata: ").append(c.metadata()).append('\n');
        c.transform().ifPresent(t -> s.append("  shaping:  ").append(t.name()).append('\n'));
        c.router().ifPresent(r -> s.append("  routing:  ").append(r).append('\n'));
        s.append("  http:     ").append(settings.httpPort < 0 ? "off (set " + RunnerSettings.HTTP_PORT
                + " for /health and /metrics)" : "/health and /metrics on " + settings.httpHost + ":"
                + (settings.httpPort == 0 ? "a free port" : settings.httpPort)).append('\n');
        s.append("  stop:     SIGTERM drains for up to ").append(settings.shutdownTimeout.toSeconds())
                .append("s and commits the offsets of what is durable").append('\n');
        s.append("  warnings: ").append(settings.warnings.isEmpty() ? "none: every key is honoured"
                : settings.warnings.size() + " keys not honoured (logged above)");
        return s.toString();
    }
}
