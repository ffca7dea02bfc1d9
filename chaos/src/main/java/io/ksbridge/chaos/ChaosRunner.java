package io.ksbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.TableNamer;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.EmulatedTable;
import io.ksbridge.testkit.emulator.Faults;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.streaming.StreamingService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The chaos coordinator. It starts one embedded Kafka broker and one {@link SnowflakeEmulator} in its own JVM, and
 * {@code N} worker JVMs ({@link ChaosWorker}, {@code -Xmx256m}) that embed a {@code KafkaToSnowflakeBridge} with the
 * {@code SnowpipeBackend} (or the {@code StreamingBackend} with {@code --backend streaming}) in one consumer group: even-numbered workers in own-loop mode, odd-numbered ones in
 * host-loop mode. A producer writes records with unique ids over {@value #PARTITIONS} partitions of each of
 * {@link #TOPICS}, about 1 % of them poison (invalid JSON, or larger than {@code maxRecordBytes}); the bridges send
 * poison to the dead-letter topic {@value #DLQ}. Meanwhile the coordinator kills random workers with SIGKILL
 * ({@link Process#destroyForcibly()}) and restarts them, and makes a fraction of emulator requests fail (HTTP 503),
 * lose their response, or hang; with Streaming it also invalidates random channels, as Snowflake does when another
 * client reopens one.
 *
 * <p>The verdict: once the producer is done and the bridges caught up (every partition's committed offset equals its
 * end offset and every stage is empty), every table is read back from the emulator and the dead-letter topic from
 * Kafka, and the run counts lost, duplicated and misplaced good records, poison that did not reach the dead-letter
 * topic and good records that did. It passes only when all are zero; it also scans every worker log, the settings'
 * and accounts' {@code toString}, configuration error messages and the dead-letter headers for fragments of the
 * private key and passphrase. It prints one summary table.
 *
 * <p>Run it (the full run: 1,000,000 records, at least 20 kills, 10 % faults):
 * <pre>
 * mvn -B -Pchaos -DskipTests package -pl chaos -am
 * mvn -B -Pchaos -DskipTests package -pl chaos -am -Dchaos.args="--records 300000 --min-kills 20 --fault-rate 0.10"
 * mvn -B -Pchaos -DskipTests package -pl chaos -am -Dchaos.args="--backend streaming --records 1000000 --rate 5000 --min-kills 20 --fault-rate 0.10"
 * </pre>
 * and the soak run (steady rate with faults on, heap and threads sampled; default 30 minutes):
 * <pre>
 * mvn -B -Psoak -DskipTests package -pl chaos -am -Dsoak.duration=PT30M
 * </pre>
 * Arguments are those of {@link ChaosOptions#parse}. The exit status is 0 when the run passed, 1 otherwise.
 */
public final class ChaosRunner {
    /** The topics the producer writes. */
    public static final List<String> TOPICS = List.of("chaos_a", "chaos_b", "chaos_c");
    /** Partitions per topic. */
    public static final int PARTITIONS = 6;
    /** The dead-letter topic. */
    public static final String DLQ = "chaos-dlq";
    /** The consumer group of every worker. */
    public static final String GROUP = "chaos-bridges";
    /** The database and schema of the tables. */
    public static final String SCHEMA = "CHAOS.PUBLIC";

    private static final byte POISON = 4;
    private static final byte OVERSIZED = 8;
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    private final ChaosOptions options;
    private final Path logDir;
    private final Random random;
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final AtomicLong unexpectedExits = new AtomicLong();
    private final OwnershipTimeline timeline = new OwnershipTimeline();
    private EmbeddedKafka kafka;
    private SnowflakeEmulator emulator;
    private String keyPem;
    private String passphrase;

    private ChaosRunner(ChaosOptions options) throws IOException {
        this.options = options;
        this.logDir = options.workDir() != null ? Files.createDirectories(options.workDir())
                : Files.createTempDirectory("ksbridge-chaos-");
        this.random = new Random(options.seed());
    }

    /**
     * Runs the coordinator with command-line arguments (see {@link ChaosOptions#parse}), prints the summary table
     * and exits with 0 when the run passed, 1 otherwise.
     */
    public static void main(String[] args) throws Exception {
        ChaosSummary summary = run(ChaosOptions.parse(args));
        System.out.println(summary.table());
        System.out.println("worker logs: " + summary.logDir());
        System.exit(summary.passed() ? 0 : 1);
    }

    /**
     * Runs one chaos (or soak) run and returns its summary; never throws for a failed verdict (see
     * {@link ChaosSummary#passed()}).
     *
     * @param options the run's settings, never null
     * @throws IOException          when logs cannot be written
     * @throws InterruptedException when interrupted
     */
    public static ChaosSummary run(ChaosOptions options) throws IOException, InterruptedException {
        return new ChaosRunner(options).execute();
    }

    // ---- the run ----

    private ChaosSummary execute() throws IOException, InterruptedException {
        long started = System.nanoTime();
        // a coordinator stopped from outside (Ctrl-C, SIGTERM) takes its workers with it
        Thread reaper = new Thread(() -> slots.forEach(s -> {
            Process p = s.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }), "chaos-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        kafka = EmbeddedKafka.start(Map.of("group.min.session.timeout.ms", "1000"));
        try {
            emulator = SnowflakeEmulator.start();
            // Uploads through presigned URLs to the emulator, as to cloud storage: a file lands whole or not at all.
            // Into a LOCAL_FS stage the JDBC driver writes the file itself, in place, and a worker killed mid-PUT
            // leaves a partial file no real stage ever shows; the next owner then counted its range as staged and
            // the failed load lost it (993 rows in the gate's Snowpipe seed 1).
            emulator.cloudStyleStages(true);
            for (String t : TOPICS) {
                kafka.createTopic(t, PARTITIONS);
            }
            kafka.createTopic(DLQ, 1);
            keyPem = emulator.privateKeyPem().reveal();
            if (options.encryptedKey()) {
                passphrase = randomPassphrase();
                keyPem = EncryptedKeys.encryptedPem(emulator.privateKey(), passphrase);
            }
            log("chaos: %,d records, %d workers, >= %d kills, %.0f %% faults, %s key; logs in %s", options.records(),
                    options.workers(), options.minKills(), options.faultRate() * 100,
                    options.encryptedKey() ? "encrypted" : "plain", logDir);
            for (int i = 0; i < options.workers(); i++) {
                Slot slot = new Slot(i, i % 2 == 0 ? "own" : "host");
                slots.add(slot);
                slot.launch();
            }
            applyFaults(emulator.faults());

            awaitGroupFormed(Duration.ofSeconds(60));

            byte[] kinds = new byte[Math.toIntExact(options.records())];
            Producer producer = new Producer(kinds);
            Thread producerThread = new Thread(producer, "chaos-producer");
            producerThread.start();

            // Kills come at random moments while data flows: a kill is due once its random pause has passed and
            // the group has committed more since the previous kill (or has committed everything). Killing goes on until the producer is done, the
            // minimum is reached and at least 80 % of the records are committed.
            StreamingService streaming = options.backend().equals("streaming") ? StreamingService.of(emulator) : null;
            OpenChannelStalls stalls = streaming == null || options.reopenStallRate() == 0 ? null
                    : OpenChannelStalls.mount(emulator, streaming, options.reopenStallRate(), options.hang(),
                            options.hang().multipliedBy(2), options.seed() * 17 + 3);
            int invalidations = 0;
            long nextInvalidation = System.nanoTime() + options.invalidateEvery().toNanos();
            int kills = 0;
            long committedAtLastKill = 0;
            long committedNow = 0;
            long nextKill = System.nanoTime() + pause();
            long nextCheck = 0;
            while (producerThread.isAlive() || kills < options.minKills()
                    || (options.minKills() > 0 && committedNow < options.records() * 8 / 10)) {
                Thread.sleep(100);
                restartExited();
                if (System.nanoTime() >= nextCheck) {
                    committedNow = committedTotal();
                    nextCheck = System.nanoTime() + 500_000_000L;
                }
                // once everything is committed there is no flow to wait for: idle workers are killed too
                boolean flowing = committedNow > committedAtLastKill || committedNow >= options.records();
                if (options.minKills() > 0 && System.nanoTime() >= nextKill && flowing) {
                    Slot victim = slots.get(random.nextInt(slots.size()));
                    log("chaos: kill %d: worker %d (%,d records committed so far)", kills + 1, victim.index, committedNow);
                    victim.kill();
                    kills++;
                    committedAtLastKill = committedNow;
                    Thread.sleep(random.nextInt(1500));
                    victim.launch();
                    nextKill = System.nanoTime() + pause();
                }
                if (streaming != null && !options.invalidateEvery().isZero() && System.nanoTime() >= nextInvalidation) {
                    if (invalidateRandomChannel(streaming, stalls)) {
                        invalidations++;
                    }
                    nextInvalidation = System.nanoTime() + (long) (random.nextDouble() * 2 * options.invalidateEvery().toNanos());
                }
                if (producer.failure.get() != null) {
                    throw new IllegalStateException("the producer failed: " + producer.failure.get(), producer.failure.get());
                }
            }
            producerThread.join();
            log("chaos: producer done (%,d records), %d kills; waiting for the bridges to catch up", options.records(), kills);

            boolean caughtUp = awaitCatchUp(options.catchUpTimeout());
            log("chaos: caught up: %s; stopping workers", caughtUp);
            Faults faults = emulator.faults();
            long failed503 = faults.injectedFailures();
            long dropped = faults.droppedResponses();
            long hung = faults.hungRequests();
            faults.reset();
            for (Slot s : slots) {
                s.sampling = false; // a stopping worker's threads and heap are not its steady state
            }
            for (Slot s : slots) {
                s.stop();
            }
            awaitNoStagedFiles(Duration.ofSeconds(30));
            long requests = emulator.requestCount("/");

            Verdict v = verdict(kinds);
            List<String> ranges = rangeReport(kinds, v.seen, producer);
            long secretHits = -1;
            long scannedChars = 0;
            if (options.encryptedKey()) {
                SecretScanner scanner = scanForSecrets(v.dlqHeaderTexts);
                secretHits = scanner.hits().isEmpty() ? 0 : scanner.hits().size();
                scannedChars = scanner.scannedChars();
                if (!scanner.hits().isEmpty()) {
                    log("chaos: secret fragments found at %s", scanner.hits());
                }
            }
            List<String> soakProblems = new ArrayList<>();
            List<String> details = new ArrayList<>();
            v.lostByPartition.forEach((p, n) -> details.add("lost in " + p + ": " + n));
            for (String d : v.duplicateReport()) {
                details.add("duplicates in " + d);
            }
            details.addAll(ranges);
            if (options.soak()) {
                analyseSoak(soakProblems, details);
            }
            long invalid = 0;
            long oversized = 0;
            for (byte k : kinds) {
                if ((k & POISON) != 0) {
                    if ((k & OVERSIZED) != 0) {
                        oversized++;
                    } else {
                        invalid++;
                    }
                }
            }
            return new ChaosSummary(options, kinds.length, kinds.length - invalid - oversized, invalid, oversized, kills,
                    (int) unexpectedExits.get(), failed503, dropped, hung, requests, caughtUp, v.lost, v.duplicated,
                    v.misplaced, v.poisonInTables, v.foreignRows, v.poisonRouted, v.poisonMissing, v.goodInDlq,
                    v.dlqDuplicates, countStagedFiles(), committedAtLastKill, invalidations,
                    streaming == null ? 0 : streaming.refusedRegistrations(), stalls == null ? 0 : stalls.refusedOpens(),
                    stalls == null ? 0 : stalls.hungOpens(), secretHits, scannedChars, soakProblems, details,
                    Duration.ofNanos(System.nanoTime() - started), logDir);
        } finally {
            for (Slot s : slots) {
                s.kill();
            }
            if (emulator != null) {
                emulator.close();
            }
            kafka.close();
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(java.util.Locale.ROOT, "%tT " + format + "%n", prepend(System.currentTimeMillis(), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private long pause() {
        long min = options.killEveryMin().toNanos();
        long max = options.killEveryMax().toNanos();
        return min + (max > min ? (long) (random.nextDouble() * (max - min)) : 0);
    }

    private String randomPassphrase() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        java.security.SecureRandom r = new java.security.SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Half the faults are 503s, a quarter lost responses, a quarter hangs; each a share of all requests. */
    private void applyFaults(Faults faults) {
        double f = options.faultRate();
        if (f == 0) {
            return;
        }
        double fail = f / 2;
        double drop = (f / 4) / (1 - fail);
        double hang = (f / 4) / ((1 - fail) * (1 - drop));
        faults.seed(options.seed()).failRate(fail).dropRate(drop).hangRate(hang, options.hang());
    }

    private void restartExited() throws IOException {
        for (Slot s : slots) {
            if (s.process != null && !s.process.isAlive() && !s.killedOnPurpose) {
                unexpectedExits.incrementAndGet();
                log("chaos: worker %d exited by itself with status %d (see %s); restarting", s.index,
                        s.process.exitValue(), s.logFile);
                s.endTenures(System.currentTimeMillis(), "exited");
                s.launch();
            }
        }
    }

    /** Invalidates one random channel of one random table; false when there is none yet. */
    private boolean invalidateRandomChannel(StreamingService streaming, OpenChannelStalls stalls) {
        String table = SCHEMA + "." + TableNamer.connectorDefault().tableName(TOPICS.get(random.nextInt(TOPICS.size())));
        List<String> channels = new ArrayList<>(streaming.committedOffsetTokens(table).keySet());
        if (channels.isEmpty()) {
            return false;
        }
        String channel = channels.get(random.nextInt(channels.size()));
        try {
            if (stalls != null) {
                stalls.invalidated(table, channel); // before: the reopen can follow at once
            }
            streaming.invalidate(table, channel);
            return true;
        } catch (java.util.NoSuchElementException gone) {
            return false;
        }
    }

    /**
     * Waits until the workers' group holds every partition (their JVMs and Snowflake clients take seconds to start on
     * a busy machine), so that records, kills and invalidations meet running bridges rather than a backlog; goes on
     * after {@code timeout} anyway.
     */
    private void awaitGroupFormed(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long started = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = System.currentTimeMillis();
            boolean all = true;
            for (String t : TOPICS) {
                for (int p = 0; p < PARTITIONS && all; p++) {
                    all = !timeline.owners(t + "-" + p, now, now).isEmpty();
                }
            }
            if (all) {
                log("chaos: the group holds every partition after %.1f s; producing", (System.nanoTime() - started) / 1e9);
                return;
            }
            restartExited();
            Thread.sleep(100);
        }
        log("chaos: the group does not hold every partition after %s; producing anyway", timeout);
    }

    /** Offsets committed by the group over every partition of every topic; a sample for the ownership timeline. */
    private long committedTotal() {
        return sampleCommitted(kafka.committedOffsets(GROUP));
    }

    /** Records a sample of the group's committed offsets in the timeline; returns their sum over {@link #TOPICS}. */
    private long sampleCommitted(Map<TopicPartition, Long> committed) {
        Map<String, Long> sample = new HashMap<>();
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            if (TOPICS.contains(e.getKey().topic())) {
                sample.put(e.getKey().toString(), e.getValue());
                total += e.getValue();
            }
        }
        timeline.committed(System.currentTimeMillis(), sample);
        return total;
    }

    private boolean awaitCatchUp(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastLog = 0;
        while (System.nanoTime() < deadline) {
            restartExited();
            Map<TopicPartition, Long> committed = kafka.committedOffsets(GROUP);
            sampleCommitted(committed);
            long behind = 0;
            for (String t : TOPICS) {
                for (Map.Entry<TopicPartition, Long> e : kafka.endOffsets(t).entrySet()) {
                    behind += e.getValue() - committed.getOrDefault(e.getKey(), 0L);
                }
            }
            long staged = countStagedFiles();
            if (behind == 0 && staged == 0) {
                return true;
            }
            if (System.nanoTime() - lastLog > 5_000_000_000L) {
                log("chaos: %,d records not yet committed, %d files on stages", behind, staged);
                lastLog = System.nanoTime();
            }
            Thread.sleep(500);
        }
        return false;
    }

    private void awaitNoStagedFiles(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (countStagedFiles() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private long countStagedFiles() {
        Path root = emulator.stageRoot();
        if (!Files.exists(root)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            // a worker killed while writing a file leaves its ".tmp-" part behind; a stage listing never shows those
            // (as a PUT that died shows nothing in Snowflake), so they are not files on the stage
            return walk.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".tmp-")).count();
        } catch (IOException | UncheckedIOException e) {
            return -1; // a file vanished while walking: not settled
        }
    }

    // ---- the producer ----

    /** Writes every record at the configured rate, remembering its topic and kind by id. */
    private final class Producer implements Runnable {
        final byte[] kinds;
        /** Each record's Kafka offset in its partition, by id; -1 until acknowledged. */
        final int[] offsets;
        /** When each record was sent, milliseconds after {@link #epoch}, by id. */
        final int[] sentAt;
        final long epoch = System.currentTimeMillis();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Producer(byte[] kinds) {
            this.kinds = kinds;
            this.offsets = new int[kinds.length];
            this.sentAt = new int[kinds.length];
            java.util.Arrays.fill(offsets, -1);
        }

        @Override
        public void run() {
            Random r = new Random(options.seed() * 31 + 7);
            String pad = "x".repeat(40);
            String huge = "y".repeat((int) options.maxRecordBytes() * 2);
            try (KafkaProducer<byte[], byte[]> producer = kafka.newProducer(Map.of("enable.idempotence", "false",
                    "max.in.flight.requests.per.connection", "1", "linger.ms", "5", "acks", "all"))) {
                int perTick = Math.max(1, options.rate() / 10);
                long tick = System.nanoTime();
                for (int id = 0; id < kinds.length; id++) {
                    int topic = r.nextInt(TOPICS.size());
                    int partition = r.nextInt(PARTITIONS);
                    byte kind = (byte) (topic | partition << 4);
                    String t = TOPICS.get(topic);
                    String value;
                    if (r.nextDouble() < options.poisonRate()) {
                        kind |= POISON;
                        if (r.nextBoolean()) {
                            kind |= OVERSIZED;
                            value = "{\"id\":" + id + ",\"t\":\"" + t + "\",\"pad\":\"" + huge + "\"}";
                        } else {
                            value = "{\"id\":" + id + ",\"t\":\"" + t + "\",\"broken\": tru";
                        }
                    } else {
                        value = "{\"id\":" + id + ",\"t\":\"" + t + "\",\"pad\":\"" + pad + "\"}";
                    }
                    kinds[id] = kind;
                    // every 50th record has no key: null keys go through the whole path too
                    byte[] key = id % 50 == 49 ? null : ((kind & POISON) != 0 ? "p-" : "g-").concat(Integer.toString(id))
                            .getBytes(StandardCharsets.UTF_8);
                    int sent = id;
                    sentAt[id] = (int) (System.currentTimeMillis() - epoch);
                    producer.send(new ProducerRecord<>(t, partition, key, value.getBytes(StandardCharsets.UTF_8)),
                            (md, e) -> {
                                if (e != null) {
                                    failure.compareAndSet(null, e);
                                } else {
                                    offsets[sent] = Math.toIntExact(md.offset());
                                }
                            });
                    if ((id + 1) % perTick == 0) {
                        tick += 100_000_000L;
                        long wait = tick - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        if (failure.get() != null) {
                            return;
                        }
                    }
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    // ---- the verdict ----

    private static final class Verdict {
        long lost;
        long duplicated;
        long misplaced;
        long poisonInTables;
        long foreignRows;
        long poisonRouted;
        long poisonMissing;
        long goodInDlq;
        long dlqDuplicates;
        final List<String> dlqHeaderTexts = new ArrayList<>();
        final Map<String, Long> duplicatesByPartition = new java.util.TreeMap<>();
        final Map<String, long[]> duplicateOffsets = new HashMap<>();
        final Map<String, Long> lostByPartition = new java.util.TreeMap<>();
        /** Copies of each good record in its table, by id, saturating at 100. */
        byte[] seen;

        List<String> duplicateReport() {
            List<String> out = new ArrayList<>();
            duplicatesByPartition.forEach((p, n) -> {
                long[] range = duplicateOffsets.get(p);
                out.add(p + ": " + n + (range == null ? "" : " (offsets " + range[0] + ".." + range[1] + ")"));
            });
            return out;
        }
    }

    private Verdict verdict(byte[] kinds) {
        Verdict v = new Verdict();
        byte[] seen = new byte[kinds.length]; // copies in the right table, saturating at 100
        v.seen = seen;
        for (int topic = 0; topic < TOPICS.size(); topic++) {
            String table = SCHEMA + "." + TableNamer.connectorDefault().tableName(TOPICS.get(topic));
            Optional<EmulatedTable> t = emulator.tables().find(table);
            if (t.isEmpty()) {
                continue;
            }
            for (Row row : t.get().rows()) {
                JsonNode content = row.content();
                JsonNode id = content == null ? null : content.get("id");
                if (id == null || !id.canConvertToLong() || id.asLong() < 0 || id.asLong() >= kinds.length) {
                    v.foreignRows++;
                    continue;
                }
                int i = (int) id.asLong();
                byte kind = kinds[i];
                JsonNode meta = row.metadata();
                String metaTopic = meta == null || meta.get("topic") == null ? null : meta.get("topic").asText();
                if ((kind & POISON) != 0) {
                    v.poisonInTables++;
                } else if ((kind & 3) != topic || !TOPICS.get(topic).equals(metaTopic) || meta.get("partition") == null
                        || meta.get("partition").asInt() != ((kind >> 4) & 7)) {
                    v.misplaced++;
                } else {
                    if (seen[i] > 0) {
                        JsonNode partition = meta == null ? null : meta.get("partition");
                        JsonNode offset = meta == null ? null : meta.get("offset");
                        String where = metaTopic + "-" + (partition == null ? "?" : partition.asText());
                        v.duplicatesByPartition.merge(where, 1L, Long::sum);
                        if (offset != null) {
                            v.duplicateOffsets.merge(where, new long[] {offset.asLong(), offset.asLong()},
                                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
                        }
                    }
                    if (seen[i] < 100) {
                        seen[i]++;
                    }
                }
            }
        }
        for (int i = 0; i < kinds.length; i++) {
            if ((kinds[i] & POISON) == 0) {
                if (seen[i] == 0) {
                    v.lost++;
                    v.lostByPartition.merge(TOPICS.get(kinds[i] & 3) + "-" + ((kinds[i] >> 4) & 7), 1L, Long::sum);
                } else {
                    v.duplicated += seen[i] - 1;
                }
            }
        }
        readDeadLetters(kinds, v);
        return v;
    }

    /** At most this many ranges go into the summary table; all of them go to {@code verdict-ranges.txt}. */
    private static final int RANGES_IN_TABLE = 30;
    /** At most this many owners are named per range. */
    private static final int OWNERS_PER_RANGE = 8;

    /**
     * Names every lost and duplicated range of Kafka offsets, per partition: {@code chaos_b-5 lost 1237..2236 (1,000)},
     * its table, when its records were sent and when the group's committed offset passed it, and the worker
     * incarnations that held the partition in between. Writes the full list to {@code verdict-ranges.txt} in the log
     * folder and returns the lines for the summary (at most {@value #RANGES_IN_TABLE}).
     */
    private List<String> rangeReport(byte[] kinds, byte[] seen, Producer producer) throws IOException {
        int partitions = TOPICS.size() * PARTITIONS;
        int[] size = new int[partitions];
        for (int i = 0; i < kinds.length; i++) {
            if (producer.offsets[i] >= 0) {
                int slot = (kinds[i] & 3) * PARTITIONS + ((kinds[i] >> 4) & 7);
                size[slot] = Math.max(size[slot], producer.offsets[i] + 1);
            }
        }
        int[][] idByOffset = new int[partitions][];
        for (int p = 0; p < partitions; p++) {
            idByOffset[p] = new int[size[p]];
            java.util.Arrays.fill(idByOffset[p], -1);
        }
        for (int i = 0; i < kinds.length; i++) {
            if ((kinds[i] & POISON) == 0 && producer.offsets[i] >= 0) {
                idByOffset[(kinds[i] & 3) * PARTITIONS + ((kinds[i] >> 4) & 7)][producer.offsets[i]] = i;
            }
        }
        List<String> all = new ArrayList<>();
        long unknownOffsets = 0;
        for (int i = 0; i < kinds.length; i++) {
            if ((kinds[i] & POISON) == 0 && producer.offsets[i] < 0 && seen[i] != 1) {
                unknownOffsets++;
            }
        }
        for (int p = 0; p < partitions; p++) {
            String topic = TOPICS.get(p / PARTITIONS);
            String partition = topic + "-" + (p % PARTITIONS);
            String table = SCHEMA + "." + TableNamer.connectorDefault().tableName(topic);
            int[] ids = idByOffset[p];
            int good = 0;
            for (int id : ids) {
                if (id >= 0) {
                    good++;
                }
            }
            long[] offsets = new long[good];
            int[] lost = new int[good];
            int[] extra = new int[good];
            int[] idAt = new int[good];
            int k = 0;
            for (int o = 0; o < ids.length; o++) {
                if (ids[o] >= 0) {
                    offsets[k] = o;
                    idAt[k] = ids[o];
                    lost[k] = seen[ids[o]] == 0 ? 1 : 0;
                    extra[k] = Math.max(0, seen[ids[o]] - 1);
                    k++;
                }
            }
            for (OffsetRanges.Range r : OffsetRanges.runs(offsets, lost)) {
                all.add(describeRange(partition, "lost", r, table, offsets, idAt, producer));
            }
            for (OffsetRanges.Range r : OffsetRanges.runs(offsets, extra)) {
                all.add(describeRange(partition, "duplicated", r, table, offsets, idAt, producer));
            }
        }
        if (unknownOffsets > 0) {
            all.add(unknownOffsets + " lost or duplicated records have no known Kafka offset (never acknowledged)");
        }
        if (!all.isEmpty()) {
            Files.write(logDir.resolve("verdict-ranges.txt"), all, StandardCharsets.UTF_8);
            for (String line : all) {
                log("chaos: %s", line);
            }
        }
        if (all.size() <= RANGES_IN_TABLE) {
            return all;
        }
        List<String> shown = new ArrayList<>(all.subList(0, RANGES_IN_TABLE));
        shown.add("... and " + (all.size() - RANGES_IN_TABLE) + " more ranges in " + logDir.resolve("verdict-ranges.txt"));
        return shown;
    }

    private String describeRange(String partition, String what, OffsetRanges.Range r, String table, long[] offsets,
                                 int[] idAt, Producer producer) {
        int from = java.util.Arrays.binarySearch(offsets, r.first());
        int to = java.util.Arrays.binarySearch(offsets, r.last());
        long sentFirst = Long.MAX_VALUE;
        long sentLast = Long.MIN_VALUE;
        for (int i = from; i <= to; i++) {
            long at = producer.epoch + producer.sentAt[idAt[i]];
            sentFirst = Math.min(sentFirst, at);
            sentLast = Math.max(sentLast, at);
        }
        long past = timeline.committedPast(partition, r.last());
        long windowEnd = past < 0 ? System.currentTimeMillis() : past;
        List<OwnershipTimeline.Tenure> owners = timeline.owners(partition, sentFirst, windowEnd);
        StringBuilder sb = new StringBuilder();
        sb.append(partition).append(' ').append(what).append(' ').append(r.first()).append("..").append(r.last())
                .append(String.format(java.util.Locale.ROOT, " (%,d%s)", r.records(), what.equals("duplicated") ? " extra copies" : ""))
                .append(" in ").append(table).append("; sent ").append(OwnershipTimeline.time(sentFirst)).append("..")
                .append(OwnershipTimeline.time(sentLast)).append(", committed past ").append(r.last()).append(' ')
                .append(past < 0 ? "never (sampled)" : "by " + OwnershipTimeline.time(past)).append("; owners: ");
        if (owners.isEmpty()) {
            sb.append("none seen");
        }
        for (int i = 0; i < owners.size() && i < OWNERS_PER_RANGE; i++) {
            sb.append(i == 0 ? "" : "; ").append(timeline.describe(owners.get(i)));
        }
        if (owners.size() > OWNERS_PER_RANGE) {
            sb.append("; +").append(owners.size() - OWNERS_PER_RANGE).append(" more");
        }
        return sb.toString();
    }

    private void readDeadLetters(byte[] kinds, Verdict v) {
        BitSet routed = new BitSet(kinds.length);
        BitSet goodRouted = new BitSet(kinds.length);
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> end = kafka.endOffsets(DLQ);
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read the dead-letter topic to its end");
                }
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
                    StringBuilder headers = new StringBuilder();
                    for (Header h : rec.headers()) {
                        headers.append(h.key()).append('=')
                                .append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8)).append('\n');
                    }
                    v.dlqHeaderTexts.add(headers.toString());
                    String value = rec.value() == null ? "" : new String(rec.value(), 0, Math.min(rec.value().length, 64),
                            StandardCharsets.UTF_8);
                    Matcher m = ID.matcher(value);
                    if (!m.find()) {
                        v.foreignRows++;
                        continue;
                    }
                    int id = Integer.parseInt(m.group(1));
                    if (id >= kinds.length) {
                        v.foreignRows++;
                    } else if ((kinds[id] & POISON) != 0) {
                        if (routed.get(id)) {
                            v.dlqDuplicates++;
                        }
                        routed.set(id);
                    } else {
                        if (goodRouted.get(id)) {
                            v.dlqDuplicates++;
                        }
                        goodRouted.set(id);
                    }
                }
            }
        }
        long poison = 0;
        for (byte k : kinds) {
            if ((k & POISON) != 0) {
                poison++;
            }
        }
        v.poisonRouted = routed.cardinality();
        v.poisonMissing = poison - v.poisonRouted;
        v.goodInDlq = goodRouted.cardinality();
    }

    // ---- secrets ----

    /**
     * Scans every worker log, the dead-letter headers, and the toString and error messages of accounts and
     * configurations built with the key, for fragments of the key's base64 body (encrypted and plain) and of the
     * passphrase.
     */
    private SecretScanner scanForSecrets(List<String> dlqHeaderTexts) {
        String plainBody = EncryptedKeys.base64Body(emulator.privateKeyPem().reveal());
        String encryptedBody = EncryptedKeys.base64Body(keyPem);
        String publicBody = Base64.getEncoder().encodeToString(emulator.account().publicKey().getEncoded());
        SecretScanner scanner = new SecretScanner(List.of(plainBody, encryptedBody, passphrase), List.of(publicBody));
        try (Stream<Path> files = Files.list(logDir)) {
            for (Path f : files.sorted().toList()) {
                scanner.scan(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker logs in " + logDir, e);
        }
        for (String h : dlqHeaderTexts) {
            scanner.scan("dead-letter headers", h);
        }
        for (Map.Entry<String, String> probe : secretProbes().entrySet()) {
            scanner.scan(probe.getKey(), probe.getValue());
        }
        return scanner;
    }

    /** Texts a user could see when something is wrong with the key or the configuration: they must not leak it. */
    private Map<String, String> secretProbes() {
        Map<String, String> out = new HashMap<>();
        SnowflakeAccount.Builder good = SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .role(SnowflakeEmulator.ROLE).privateKey(Secret.of(keyPem)).passphrase(Secret.of(passphrase));
        out.put("account.toString", good.build().toString());
        out.put("account builder toString", good.toString());
        out.put("wrong passphrase", message(() -> SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user("U")
                .privateKey(Secret.of(keyPem)).passphrase(Secret.of(passphrase + "x")).build()));
        out.put("missing passphrase", message(() -> SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user("U")
                .privateKey(Secret.of(keyPem)).build()));
        out.put("passphrase on a plain key", message(() -> SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user("U")
                .privateKey(emulator.privateKeyPem()).passphrase(Secret.of(passphrase)).build()));
        out.put("truncated key", message(() -> SnowflakeAccount.builder().url(emulator.url()).allowInsecureHttp().user("U")
                .privateKey(Secret.of(keyPem.substring(0, keyPem.length() / 2))).passphrase(Secret.of(passphrase)).build()));
        Map<String, String> connector = new HashMap<>();
        connector.put(BridgeConfig.URL, emulator.url());
        connector.put(BridgeConfig.ALLOW_INSECURE_HTTP, "true");
        connector.put(BridgeConfig.USER, SnowflakeEmulator.USER);
        connector.put(BridgeConfig.PRIVATE_KEY, keyPem);
        connector.put(BridgeConfig.PRIVATE_KEY_PASSPHRASE, passphrase);
        out.put("BridgeConfig.toString", BridgeConfig.from(connector).toString());
        Map<String, String> bad = new HashMap<>(connector);
        bad.put("buffer.count.records", "-1");
        bad.put("snowflake.private.key.pasphrase", passphrase);
        out.put("BridgeConfig error", message(() -> BridgeConfig.from(bad)));
        Map<String, String> wrongPass = new HashMap<>(connector);
        wrongPass.put(BridgeConfig.PRIVATE_KEY_PASSPHRASE, passphrase.substring(1));
        out.put("BridgeConfig account error", message(() -> BridgeConfig.from(wrongPass).account()));
        return out;
    }

    private static String message(Runnable r) {
        try {
            r.run();
            return "";
        } catch (BridgeConfigException | IllegalArgumentException e) {
            java.io.StringWriter w = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(w));
            return w.toString();
        }
    }

    // ---- soak ----

    private void analyseSoak(List<String> problems, List<String> figures) {
        long limit = options.maxBufferedBytes();
        for (Slot s : slots) {
            List<long[]> samples = s.samples; // {nanos since start, liveHeap, threads}
            List<long[]> live = samples.stream().filter(x -> x[1] >= 0).toList();
            if (live.size() < 6) {
                problems.add("worker " + s.index + ": only " + live.size() + " heap samples");
                continue;
            }
            int n = live.size();
            // the first fifth is warm-up; compare the second fifth with the last fifth
            List<long[]> early = live.subList(n / 5, Math.max(n / 5 + 1, 2 * n / 5));
            List<long[]> late = live.subList(4 * n / 5, n);
            long earlyHeap = early.stream().mapToLong(x -> x[1]).max().orElse(0);
            long lateHeap = late.stream().mapToLong(x -> x[1]).max().orElse(0);
            long earlyThreads = early.stream().mapToLong(x -> x[2]).max().orElse(0);
            long lateThreads = late.stream().mapToLong(x -> x[2]).max().orElse(0);
            figures.add(String.format(java.util.Locale.ROOT, "worker %d: live heap %.1f -> %.1f MiB, threads %d -> %d (%d samples)",
                    s.index, earlyHeap / 1048576.0, lateHeap / 1048576.0, earlyThreads, lateThreads, n));
            if (lateHeap - earlyHeap > limit) {
                problems.add("worker " + s.index + ": live heap grew by " + (lateHeap - earlyHeap) + " bytes, more than"
                        + " maxBufferedBytes " + limit);
            }
            if (lateThreads - earlyThreads > 2) {
                problems.add("worker " + s.index + ": threads grew from " + earlyThreads + " to " + lateThreads);
            }
        }
    }

    // ---- workers ----

    /** One worker position: a process at a time, restarted after kills. */
    private final class Slot {
        final int index;
        final String mode;
        final List<long[]> samples = new CopyOnWriteArrayList<>();
        volatile Process process;
        volatile boolean killedOnPurpose;
        volatile boolean sampling = true;
        volatile Thread pump;
        int incarnation;
        Path logFile;

        Slot(int index, String mode) {
            this.index = index;
            this.mode = mode;
        }

        void launch() throws IOException {
            incarnation++;
            logFile = logDir.resolve(String.format(java.util.Locale.ROOT, "worker-%d-%03d.log", index, incarnation));
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx256m");
            cmd.add("-ea"); // the engine checks the backends' promises (durable outcomes in order) with assertions on
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-DSS_LOG_LEVEL=warn"); // the high-performance SDK's native core logs to stdout on its own
            cmd.add("-DSS_PROCESS_INFO_REFRESH_DURATION_MS=1000");
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(ChaosWorker.class.getName());
            cmd.addAll(List.of("--id", index + "." + incarnation, "--mode", mode, "--bootstrap", kafka.bootstrapServers(),
                    "--group", GROUP, "--topics", String.join(",", TOPICS), "--dlq", DLQ, "--url", emulator.url(),
                    "--user", SnowflakeEmulator.USER, "--role", SnowflakeEmulator.ROLE,
                    "--max-record-bytes", Long.toString(options.maxRecordBytes()),
                    "--max-buffered-bytes", Long.toString(options.maxBufferedBytes()), "--backend", options.backend()));
            if (options.soak()) {
                cmd.add("--gc-sample");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put(ChaosWorker.KEY_ENV, keyPem);
            if (passphrase != null) {
                pb.environment().put(ChaosWorker.PASSPHRASE_ENV, passphrase);
            } else {
                pb.environment().remove(ChaosWorker.PASSPHRASE_ENV);
            }
            killedOnPurpose = false;
            Process p = pb.start();
            process = p;
            Path file = logFile;
            long start = System.nanoTime();
            int inc = incarnation;
            boolean sample = incarnation == 1; // soak trends only make sense for one process
            Thread reader = new Thread(() -> pump(p, file, start, sample, inc), "chaos-pump-" + index + "-" + incarnation);
            reader.setDaemon(true);
            pump = reader;
            reader.start();
        }

        private void pump(Process p, Path file, long start, boolean sample, int inc) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 java.io.BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    timeline.apply(line, index, inc, mode);
                    if (line.startsWith("STATUS ")) {
                        out.flush();
                        if (sample && sampling) {
                            samples.add(new long[] {System.nanoTime() - start, field(line, "liveHeap"), field(line, "threads")});
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process was killed: its output ends here
            }
        }

        private long field(String line, String name) {
            int i = line.indexOf(name + "=");
            if (i < 0) {
                return -1;
            }
            int from = i + name.length() + 1;
            int to = line.indexOf(' ', from);
            return Long.parseLong(to < 0 ? line.substring(from) : line.substring(from, to));
        }

        void kill() {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return;
            }
            killedOnPurpose = true;
            long at = System.currentTimeMillis();
            p.destroyForcibly();
            try {
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            endTenures(at, "killed");
        }

        /** Asks the worker to close its bridge and exit; kills it when it does not within 40 s. */
        void stop() throws InterruptedException {
            Process p = process;
            if (p == null || !p.isAlive()) {
                return;
            }
            killedOnPurpose = true;
            try {
                OutputStream in = p.getOutputStream();
                in.write("stop\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException ignored) {
                // already gone
            }
            if (!p.waitFor(40, TimeUnit.SECONDS)) {
                log("chaos: worker %d did not stop within 40 s; killing it", index);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                endTenures(System.currentTimeMillis(), "killed at stop");
            } else if (p.exitValue() != 0) {
                unexpectedExits.incrementAndGet();
                log("chaos: worker %d stopped with status %d (see %s)", index, p.exitValue(), logFile);
            }
            endTenures(System.currentTimeMillis(), "stopped"); // no-op after a kill
        }

        /**
         * Ends this incarnation's partition tenures in the timeline, once its output is read to the end (an
         * {@code ASSIGNED} line still in the pipe must not open a tenure after its process ended).
         */
        void endTenures(long at, String how) {
            Thread t = pump;
            if (t != null) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            timeline.ended(at, index, incarnation, how);
        }
    }
}
