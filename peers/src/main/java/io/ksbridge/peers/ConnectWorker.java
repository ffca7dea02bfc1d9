package io.ksbridge.peers;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.util.FutureCallback;

/**
 * An embedded Kafka Connect standalone worker on the in-process broker, loading connectors from a plugin folder
 * through {@code plugin.path} with plugin isolation: Snowflake's connector is a fat jar carrying its own
 * kafka-clients 3.7, JDBC driver 3.18 and ingest SDK 2.3, which on a flat class path collide with ksbridge's
 * (ingest SDK 4.3: the task fails at open). Its REST listener is on {@code 127.0.0.1}, port chosen by the system;
 * sink offsets are committed to the consumer group {@code connect-<connector name>} every {@code offsetFlushInterval}.
 * Plugins are found by {@code plugin.discovery=service_load} ({@link ServiceManifests}), not by scanning the connector's
 * 164 MB jar (12 s of every start before). Its sink
 * tasks' consumers time out of the group after 6 s ({@code consumer.session.timeout.ms}), as a test of a killed
 * worker wants.
 *
 * <p>Installs the {@link LoopbackGuard}. Not thread-safe: drive it from one thread.
 */
public final class ConnectWorker implements AutoCloseable {
    /** The system property naming the plugin folder (set by the build; see {@link #pluginPath()}). */
    public static final String PLUGIN_PATH_PROPERTY = "ksbridge.peers.plugin.path";

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Connect<StandaloneHerder> connect;
    private final ClassLoader connectLoader;
    private final Path offsets;

    private ConnectWorker(Connect<StandaloneHerder> connect, ClassLoader connectLoader, Path offsets) {
        this.connect = connect;
        this.connectLoader = connectLoader;
        this.offsets = offsets;
    }

    /**
     * The folder holding the connector's plugin (the build copies {@code snowflake-kafka-connector} into
     * {@code target/connector-plugins}): the system property {@value #PLUGIN_PATH_PROPERTY}, else
     * {@code target/connector-plugins} of the working directory.
     *
     * @throws IllegalStateException naming the folder when it holds no plugin
     */
    public static Path pluginPath() {
        String given = System.getProperty(PLUGIN_PATH_PROPERTY);
        Path path = Path.of(given != null ? given : "target/connector-plugins").toAbsolutePath();
        if (!Files.isDirectory(path.resolve("snowflake-kafka-connector"))) {
            throw new IllegalStateException("no Snowflake connector plugin in " + path + " (" + PLUGIN_PATH_PROPERTY
                    + "); the build copies it there in generate-test-resources (maven-dependency-plugin, execution"
                    + " connector-plugin)");
        }
        return path;
    }

    /** Starts a worker on {@code kafka} loading plugins from {@link #pluginPath()}, committing offsets every second. */
    public static ConnectWorker start(EmbeddedKafka kafka) {
        return start(kafka, pluginPath(), Duration.ofSeconds(1));
    }

    /**
     * Starts a worker.
     *
     * @param kafka               the broker, never null
     * @param pluginPath          the folder of plugin folders, never null
     * @param offsetFlushInterval how often sink offsets are committed ({@code offset.flush.interval.ms})
     */
    public static ConnectWorker start(EmbeddedKafka kafka, Path pluginPath, Duration offsetFlushInterval) {
        Objects.requireNonNull(kafka, "kafka must not be null");
        return start(kafka.bootstrapServers(), pluginPath, offsetFlushInterval);
    }

    /** As {@link #start(EmbeddedKafka, Path, Duration)}, on the broker at {@code bootstrapServers}. */
    public static ConnectWorker start(String bootstrapServers, Path pluginPath, Duration offsetFlushInterval) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers must not be null");
        Objects.requireNonNull(pluginPath, "pluginPath must not be null");
        LoopbackGuard.install();
        Path offsets;
        try {
            offsets = Files.createTempFile("connect-offsets-", ".dat");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the worker's offsets file", e);
        }
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter.schemas.enable", "false");
        props.put("offset.storage.file.filename", offsets.toString());
        props.put("offset.flush.interval.ms", Long.toString(offsetFlushInterval.toMillis()));
        props.put("plugin.path", pluginPath.toString());
        // the connector's plugins from ServiceLoader manifests (ServiceManifests writes the ones its jar lacks), not
        // from a reflective scan of its 164 MB jar
        ServiceManifests.ensure(pluginPath);
        props.put("plugin.discovery", "service_load");
        props.put("listeners", "http://127.0.0.1:0");
        // the sink tasks' consumers: a killed worker's member leaves the group after 6 s (the broker's minimum), not
        // Kafka's default 45 s, so a takeover test waits for the takeover, not for failure detection
        props.put("consumer.session.timeout.ms", "6000");
        props.put("consumer.heartbeat.interval.ms", "1000");
        // startConnect makes Connect's delegating loader (which finds plugin classes) the calling thread's context
        // class loader, for the herder's threads to inherit; the caller gets its own back, and herder calls run
        // under Connect's (see herder())
        ClassLoader ours = Thread.currentThread().getContextClassLoader();
        try {
            Connect<StandaloneHerder> connect = new ConnectStandalone().startConnect(props);
            return new ConnectWorker(connect, Thread.currentThread().getContextClassLoader(), offsets);
        } finally {
            Thread.currentThread().setContextClassLoader(ours);
        }
    }

    /**
     * Creates (or replaces) the connector {@code config} names ({@code name}) and waits until it and all its tasks
     * are RUNNING.
     *
     * @throws IllegalStateException with the connector's or a task's trace when one fails
     * @throws AssertionError        when they are not running within 60 s
     */
    public void startConnector(Map<String, String> config) throws InterruptedException {
        String name = Objects.requireNonNull(config.get("name"), "config must name the connector (name)");
        FutureCallback<Object> created = new FutureCallback<>();
        withConnectLoader(() -> connect.herder().putConnectorConfig(name, config, true, (e, r) -> created.onCompletion(e, r)));
        get(created, "create connector " + name);
        Await.until("connector " + name + " and its tasks RUNNING", CALL_TIMEOUT, () -> {
            ConnectorStateInfo s = status(name);
            if (s == null) {
                return false;
            }
            failIfFailed(s);
            return s.connector().state().equals("RUNNING") && !s.tasks().isEmpty()
                    && s.tasks().stream().allMatch(t -> t.state().equals("RUNNING"));
        });
    }

    /**
     * Deletes a connector the clean way: its tasks are stopped (flushed, their offsets committed, their channels and
     * clients closed by the connector), then the connector.
     */
    public void deleteConnector(String name) {
        FutureCallback<Object> deleted = new FutureCallback<>();
        withConnectLoader(() -> connect.herder().deleteConnectorConfig(name, (e, r) -> deleted.onCompletion(e, r)));
        get(deleted, "delete connector " + name);
    }

    /**
     * Runs a herder call under Connect's delegating class loader: a thread the herder starts for it inherits the
     * caller's context loader, and the herder resolves plugin classes (a connector's converter) through it; under
     * the application's loader, task configuration fails with "Class ... could not be found" inside a future nobody
     * reads, and the connector never gets tasks.
     */
    private void withConnectLoader(Runnable call) {
        Thread t = Thread.currentThread();
        ClassLoader ours = t.getContextClassLoader();
        t.setContextClassLoader(connectLoader);
        try {
            call.run();
        } finally {
            t.setContextClassLoader(ours);
        }
    }

    /** The connector's status, or null when it is not (yet) known. */
    public ConnectorStateInfo status(String name) {
        try {
            return connect.herder().connectorStatus(name);
        } catch (RuntimeException notFound) {
            return null;
        }
    }

    /** The consumer group a sink connector's tasks commit to. */
    public static String groupOf(String connectorName) {
        return "connect-" + connectorName;
    }

    /**
     * Throws when the connector {@code name} of {@code worker} or one of its tasks FAILED, with its trace.
     *
     * @throws IllegalStateException naming the connector or task and its trace
     */
    public static void failIfFailed(ConnectWorker worker, String name) {
        ConnectorStateInfo s = worker.status(name);
        if (s != null) {
            failIfFailed(s);
        }
    }

    private static void failIfFailed(ConnectorStateInfo s) {
        if (s.connector().state().equals("FAILED")) {
            throw new IllegalStateException("connector " + s.name() + " failed: " + s.connector().trace());
        }
        for (ConnectorStateInfo.TaskState t : s.tasks()) {
            if (t.state().equals("FAILED")) {
                throw new IllegalStateException("task " + t.id() + " of " + s.name() + " failed: " + t.trace());
            }
        }
    }

    private static void get(FutureCallback<Object> future, String what) {
        try {
            future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer within " + CALL_TIMEOUT.toSeconds() + " s", e);
        }
    }

    /** Stops every connector cleanly, then the worker. Idempotent. */
    @Override
    public void close() {
        connect.stop();
        connect.awaitStop();
        try {
            Files.deleteIfExists(offsets);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
