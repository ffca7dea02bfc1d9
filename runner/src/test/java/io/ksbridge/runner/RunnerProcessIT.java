package io.ksbridge.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.TableNamer;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shaded jar as a user runs it: {@code java -jar ksbridge-runner.jar connector.properties}, a separate process
 * against the in-process broker and the emulator. It is stopped with SIGTERM while records are still arriving and
 * loading, restarted, and every record is in the table exactly once; the stop drained and committed.
 */
@KsbridgeTest
class RunnerProcessIT {
    private static final Path JAR = Path.of("target", "ksbridge-runner.jar");
    private static final int FIRST = 6_000;
    private static final int TOTAL = 12_000;
    private static final int PARTITIONS = 3;
    private static final int CHUNK = 500;
    private static final int AHEAD = 3_000;
    private static final Pattern HEALTH_LINE = Pattern.compile("health on http://127\\.0\\.0\\.1:(\\d+)/health");

    @TempDir
    Path dir;

    /** One runner process, its output kept line by line (and in target/ for a failed run). */
    private static final class RunnerProcess implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;

        RunnerProcess(Path properties, Path log) throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            process = new ProcessBuilder(java.toString(), "-Xmx384m", "-jar", JAR.toAbsolutePath().toString(),
                    properties.toString()).redirectErrorStream(true).start();
            PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                        file.println(line);
                    }
                } catch (IOException e) {
                    lines.add("(output unreadable: " + e + ")");
                } finally {
                    file.close();
                }
            }, "runner-output");
            reader.setDaemon(true);
            reader.start();
        }

        String output() {
            return String.join("\n", lines);
        }

        boolean logged(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }

        int httpPort() throws InterruptedException {
            Await.until(Duration.ofSeconds(60), () -> lines.stream().anyMatch(l -> HEALTH_LINE.matcher(l).find())
                    || !process.isAlive(), () -> "the runner's health line; output so far:\n" + output());
            for (String l : lines) {
                Matcher m = HEALTH_LINE.matcher(l);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            throw new AssertionError("the runner exited without serving health:\n" + output());
        }

        /**
         * SIGTERM, then the exit status. Through the ProcessHandle: Process.destroy() sends the same SIGTERM on Linux
         * but also closes our end of the output pipe, and the stop's log lines would be lost.
         */
        int terminate() throws InterruptedException {
            assertTrue(process.toHandle().destroy(), "SIGTERM could not be sent");
            assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the runner did not stop within 90 s of SIGTERM:\n"
                    + output());
            reader.join(10_000);
            return process.exitValue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private Path connectorProperties(EmbeddedKafka kafka, SnowflakeEmulator snowflake, String method, String topic)
            throws IOException {
        Map<String, String> p = new HashMap<>();
        p.put("name", "runner_it_" + method.toLowerCase());
        p.put("connector.class", "com.snowflake.kafka.connector.SnowflakeSinkConnector");
        p.put("tasks.max", "1");
        p.put("topics", topic);
        p.put("snowflake.url.name", snowflake.url());
        p.put("ksbridge.snowflake.allow.insecure.http", "true");
        p.put("snowflake.user.name", SnowflakeEmulator.USER);
        p.put("snowflake.role.name", SnowflakeEmulator.ROLE);
        p.put("snowflake.private.key", Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded()));
        p.put("snowflake.database.name", "RUNNERDB");
        p.put("snowflake.schema.name", "PUBLIC");
        p.put("snowflake.ingestion.method", method);
        p.put("buffer.count.records", "250");
        if (method.equals("SNOWPIPE_STREAMING")) {
            p.put("buffer.flush.time", "1");
            p.put("snowflake.streaming.max.client.lag", "1");
        } else {
            p.put("buffer.flush.time", "10");
        }
        p.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        p.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        p.put("value.converter.schemas.enable", "false");
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("ksbridge.runner.http.host", "127.0.0.1");
        p.put("ksbridge.runner.http.port", "0");
        p.put("ksbridge.runner.shutdown.timeout", "45s");
        p.put("ksbridge.runner.progress.interval", "2s");
        // the connector's SMT configuration, as it is: Kafka Connect's own MaskField blanks each value's pad
        p.put("transforms", "mask");
        p.put("transforms.mask.type", "org.apache.kafka.connect.transforms.MaskField$Value");
        p.put("transforms.mask.fields", "pad");
        Path file = dir.resolve("connector-" + method + ".properties");
        StringBuilder text = new StringBuilder("# written by RunnerProcessIT\n");
        p.forEach((k, v) -> text.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        return file;
    }

    private static void produce(EmbeddedKafka kafka, String topic, int from, int to) {
        try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of("enable.idempotence", "false",
                "max.in.flight.requests.per.connection", "1"))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = from; i < to; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % PARTITIONS, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("{\"id\":" + i + ",\"pad\":\"" + "x".repeat(60) + "\"}").getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce to " + topic + ": " + e, e);
        }
    }

    private static int rows(SnowflakeEmulator snowflake, String table) {
        return snowflake.tables().find(table).map(t -> t.rowCount()).orElse(0);
    }

    private static void assertExactlyOnce(SnowflakeEmulator snowflake, String table, int n) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (Row row : snowflake.table(table).rows()) {
            counts.merge(row.content().get("id").asInt(), 1, Integer::sum);
            assertEquals("", row.content().get("pad").asText(), "masked by the SMT: " + row);
        }
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < n && wrong.size() < 10; i++) {
            if (counts.getOrDefault(i, 0) != 1) {
                wrong.add("id " + i + " x" + counts.getOrDefault(i, 0));
            }
        }
        assertEquals(List.of(), wrong, "ids not exactly once");
        assertEquals(n, counts.size(), "distinct ids");
        assertEquals(n, snowflake.table(table).rows().size(), "rows");
    }

    private static String get(int port, String path, int expectedStatus) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SNOWPIPE_STREAMING", "SNOWPIPE"})
    void sigtermMidStream_restart_everyRecordExactlyOnce(String method, EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        String topic = "runner_orders_" + method.toLowerCase();
        String table = "RUNNERDB.PUBLIC." + TableNamer.connectorDefault().tableName(topic);
        String group = "connect-runner_it_" + method.toLowerCase();
        kafka.createTopic(topic, PARTITIONS);
        produce(kafka, topic, 0, FIRST);
        Path properties = connectorProperties(kafka, snowflake, method, topic);
        String keyBody = Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded());

        int rowsAtStop;
        Map<TopicPartition, Long> committedAtStop;
        try (RunnerProcess first = new RunnerProcess(properties, Path.of("target", "runner-it-" + method + "-1.log"))) {
            int port = first.httpPort();
            assertTrue(first.logged("  topics:   " + topic), first.output());
            assertTrue(first.logged("  backend:  Snowpipe"), first.output());
            assertTrue(first.logged("not honoured: connector.class="), first.output());
            assertTrue(first.logged("not honoured: tasks.max=1"), first.output());
            assertTrue(first.logged("  shaping:  connect:MaskField$Value"), first.output());
            String health = get(port, "/health", 200);
            assertTrue(health.startsWith("{\"status\":\"UP\",\"state\":\"RUNNING\""), health);

            // records keep arriving while the runner loads, paced by its progress (at most AHEAD records ahead of
            // the table), so the stop comes while the topic is still growing
            AtomicBoolean paced = new AtomicBoolean(true);
            AtomicInteger produced = new AtomicInteger(FIRST);
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                try {
                    for (int from = FIRST; from < TOTAL; from += CHUNK) {
                        int next = from;
                        Await.until(Duration.ofSeconds(180), () -> !paced.get() || rows(snowflake, table) >= next - AHEAD,
                                () -> "the table to reach " + (next - AHEAD) + " rows");
                        produce(kafka, topic, from, from + CHUNK);
                        produced.set(from + CHUNK);
                    }
                } catch (Throwable t) {
                    producerFailure.set(t);
                }
            }, "second-half");
            producer.start();
            Await.until(Duration.ofSeconds(120), () -> produced.get() >= FIRST + 2 * CHUNK && rows(snowflake, table)
                    >= FIRST - AHEAD + 2 * CHUNK, () -> "the second half under way, have " + rows(snowflake, table)
                    + " rows\n" + first.output());
            int producedAtStop = produced.get();
            int status = first.terminate();
            paced.set(false);
            producer.join(120_000);
            assertEquals(null, producerFailure.get());
            assertTrue(producedAtStop < TOTAL, "the stop came mid-stream: " + producedAtStop + " of " + TOTAL
                    + " records produced");
            rowsAtStop = rows(snowflake, table);
            committedAtStop = kafka.committedOffsets(group);
            assertEquals(143, status, "exit status after SIGTERM (128 + 15):\n" + first.output());
            assertTrue(first.logged("stopping: flushing buffers"), first.output());
            assertTrue(first.logged("stopped cleanly in"), first.output());
            assertFalse(first.output().contains(keyBody.substring(100, 140)), "the private key reached the output");
        }
        assertTrue(rowsAtStop < TOTAL, "the stop came mid-load: " + rowsAtStop + " of " + TOTAL + " rows loaded");
        long committed = committedAtStop.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(committed > 0, "the stop committed durable offsets: " + committedAtStop);
        assertEquals(rowsAtStop, committed, "the drain commits exactly what is in the table (more would lose records"
                + " on a crash, less would leave loaded records uncommitted): " + committedAtStop);

        try (RunnerProcess second = new RunnerProcess(properties, Path.of("target", "runner-it-" + method + "-2.log"))) {
            int port = second.httpPort();
            Await.until(Duration.ofSeconds(180), () -> rows(snowflake, table) >= TOTAL,
                    () -> TOTAL + " rows after the restart, have " + rows(snowflake, table) + "\n" + second.output());
            Map<TopicPartition, Long> end = kafka.endOffsets(topic);
            Await.until(Duration.ofSeconds(60), () -> kafka.committedOffsets(group).equals(end),
                    () -> "committed offsets " + kafka.committedOffsets(group) + " to reach " + end);
            String metrics = get(port, "/metrics", 200);
            assertTrue(metrics.contains("# TYPE ksbridge_records_durable_total counter"), metrics);
            assertTrue(metrics.contains("ksbridge_records_durable_total{bridge=\"runner_it_" + method.toLowerCase()
                    + "\",partition=\""), metrics);
            assertEquals(TOTAL - rowsAtStop, durableInMetrics(metrics), "the restart loaded exactly the records not in"
                    + " the table at the stop (its metrics)");
            assertEquals(143, second.terminate(), "exit status after SIGTERM:\n" + second.output());
            assertTrue(second.logged("stopped cleanly in"), second.output());
        }
        assertExactlyOnce(snowflake, table, TOTAL);
    }

    @org.junit.jupiter.api.Test
    void fileTheRunnerCannotHonour_exitsWithStatus2_everyProblemNamed_noSecret(SnowflakeEmulator snowflake)
            throws Exception {
        String keyBody = Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded());
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, String.join("\n",
                "name=bad_file",
                "topics=orders",
                "snowflake.url.name=" + snowflake.url(), "ksbridge.snowflake.allow.insecure.http=true",
                "snowflake.user.name=" + SnowflakeEmulator.USER,
                "snowflake.private.key=" + keyBody,
                "snowflake.database.name=DB",
                "buffer.flush.tme=30",
                "transforms=unwrap", "predicates=p",
                "value.converter=io.confluent.connect.avro.AvroConverter",
                "consumer.override.sasl.jaas.config=password=\"kafka-secret-pw\"",
                "consumer.override.value.deserializer=x"), StandardCharsets.UTF_8);
        try (RunnerProcess runner = new RunnerProcess(file, Path.of("target", "runner-it-bad-file.log"))) {
            assertTrue(runner.process.waitFor(60, TimeUnit.SECONDS), runner.output());
            runner.reader.join(10_000);
            assertEquals(2, runner.process.exitValue(), runner.output());
            String out = runner.output();
            assertTrue(out.startsWith("ksbridge-runner: " + file + " cannot be run: 7 configuration problems:"), out);
            for (String setting : new String[] {"buffer.flush.tme", "transforms.unwrap.type", "predicates", "value.converter",
                    "consumer.override.value.deserializer", "snowflake.schema.name", "bootstrap.servers"}) {
                assertTrue(out.contains("for setting " + setting + ": "), setting + " in\n" + out);
            }
            assertTrue(out.contains("Did you mean buffer.flush.time?"), out);
            assertFalse(out.contains("kafka-secret-pw"), out);
            assertFalse(out.contains(keyBody.substring(100, 140)), out);
        }
    }

    @org.junit.jupiter.api.Test
    void keySnowflakeRefuses_bridgeFails_exitsWithStatus1NamingTheCause(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        kafka.createTopic("runner_refused", 1);
        kafka.produce("runner_refused", 0, "k", "{\"id\":1}");
        String foreignKey = Base64.getEncoder().encodeToString(SnowflakeEmulator.newKeyPair().getPrivate().getEncoded());
        Path file = dir.resolve("refused.properties");
        Files.writeString(file, String.join("\n",
                "name=runner_refused",
                "topics=runner_refused",
                "snowflake.url.name=" + snowflake.url(), "ksbridge.snowflake.allow.insecure.http=true",
                "snowflake.user.name=" + SnowflakeEmulator.USER,
                "snowflake.private.key=" + foreignKey,
                "snowflake.database.name=RUNNERDB",
                "snowflake.schema.name=PUBLIC",
                "bootstrap.servers=" + kafka.bootstrapServers()), StandardCharsets.UTF_8);
        try (RunnerProcess runner = new RunnerProcess(file, Path.of("target", "runner-it-refused.log"))) {
            assertTrue(runner.process.waitFor(120, TimeUnit.SECONDS), "the runner did not stop on the failure:\n"
                    + runner.output());
            runner.reader.join(10_000);
            assertEquals(1, runner.process.exitValue(), runner.output());
            assertTrue(runner.logged("stopped on a failure (exit status 1): Snowflake refused"), runner.output());
            assertTrue(runner.logged("Snowflake refused the key-pair JWT of user KSBRIDGE"), runner.output());
            assertFalse(runner.output().contains(foreignKey.substring(100, 140)), "the private key reached the output");
        }
    }

    /** The sum of ksbridge_records_durable_total over its series. */
    private static long durableInMetrics(String metrics) {
        long sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("ksbridge_records_durable_total{")) {
                sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
