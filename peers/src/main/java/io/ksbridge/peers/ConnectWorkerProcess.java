package io.ksbridge.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Connect worker running one connector in a JVM of its own, for tests that kill it the hard way
 * ({@link #kill()}: SIGKILL, no task stop, no flush, no offset commit, no channel close), as a crashed Connect
 * node dies. The child runs {@link #main} on this JVM's class path. Not thread-safe.
 */
public final class ConnectWorkerProcess implements AutoCloseable {
    private static final String READY = "CONNECTOR RUNNING";
    private final Process process;
    private final Path config;

    private ConnectWorkerProcess(Process process, Path config) {
        this.process = process;
        this.config = config;
    }

    /**
     * Starts a child JVM with a worker on {@code bootstrapServers} running the connector {@code connectorConfig}
     * describes, and waits until it is RUNNING.
     *
     * @throws IllegalStateException with the child's last output when it dies or is not running within {@code timeout}
     */
    public static ConnectWorkerProcess start(String bootstrapServers, Map<String, String> connectorConfig,
                                             Duration timeout) throws IOException, InterruptedException {
        Path config = Files.createTempFile("connector-", ".properties");
        Properties p = new Properties();
        p.putAll(connectorConfig);
        try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                ConnectWorkerProcess.class.getName(), bootstrapServers, ConnectWorker.pluginPath().toString(),
                config.toString())).redirectErrorStream(true).start();
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder tail = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.equals(READY)) {
                        ready.countDown();
                    }
                    synchronized (tail) {
                        tail.append(line).append('\n');
                        if (tail.length() > 8000) {
                            tail.delete(0, tail.length() - 8000);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "connect-worker-process-output");
        reader.setDaemon(true);
        reader.start();
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            synchronized (tail) {
                throw new IllegalStateException("the Connect worker process did not run its connector within " + timeout
                        + "; its last output:\n" + tail);
            }
        }
        return new ConnectWorkerProcess(process, config);
    }

    /** Kills the child at once (SIGKILL) and waits for it to be gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try {
            Files.deleteIfExists(config);
        } catch (IOException ignored) {
            // a temporary file
        }
    }

    /** The child: {@code <bootstrap servers> <plugin path> <connector properties file>}. */
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(args[2]), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> config = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> config.put(k, p.getProperty(k)));
        ConnectWorker worker = ConnectWorker.start(args[0], Path.of(args[1]), Duration.ofSeconds(1));
        worker.startConnector(config);
        System.out.println(READY);
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
        throw new UncheckedIOException(new IOException("unreachable"));
    }
}
