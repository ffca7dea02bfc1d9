package io.ksbridge.chaos;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The Snowflake → Kafka chaos run: a table of the emulator under random DML (inserts, updates, deletes, key changes,
 * in transactions of one to three statements) while {@code --workers} JVMs, each embedding a
 * {@code SnowflakeToKafkaBridge} of the same name (one active, the others standing by), are killed with SIGKILL at
 * random moments (the active one when there is one) and restarted. When the DML is done the survivors catch up, and the topic,
 * read with {@code read_committed}, is compared change by change with the emulator's history
 * ({@link SourceChaosVerdict}): 0 lost, 0 duplicated, 0 invented, and the topic replayed equals the table.
 *
 * <p>Run: {@code mvn -B -Psource-chaos -DskipTests package -pl chaos -am} (arguments: {@code -Dsource.chaos.args=...}:
 * {@code --seeds 1,2,3 --seconds N --workers N --kill-min-ms N --kill-max-ms N --tx-rows N --work-dir D}).
 */
public final class SourceChaosRunner {
    static final String TABLE = "CHAOS.PUBLIC.SOURCE_CHAOS";
    static final String TOPIC = "source.chaos";

    private SourceChaosRunner() {
    }

    /** One run's figures. */
    public record Summary(long seed, int ops, int versions, int kills, int restarts, SourceChaosVerdict.Result verdict,
            boolean caughtUp, int unexpectedExits) {
        /** True when nothing was lost, doubled or invented, the topic caught up, and no worker died on its own. */
        public boolean passed() {
            return caughtUp && unexpectedExits == 0 && verdict.passed();
        }

        /** One line of figures. */
        public String line() {
            return String.format(Locale.ROOT, "seed %d: %,d DML statements, %,d table versions, %d kills (%d restarts);"
                    + " %s; caught up %s; unexpected exits %d: %s", seed, ops, versions, kills, restarts, verdict.line(), caughtUp,
                    unexpectedExits, passed() ? "PASSED" : "FAILED");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>(Map.of("seeds", "1", "seconds", "120", "workers", "2", "kill-min-ms", "1500",
                "kill-max-ms", "4000", "tx-rows", "25", "work-dir", "target/source-chaos-logs"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        boolean ok = true;
        List<String> lines = new ArrayList<>();
        for (String seed : a.get("seeds").split(",")) {
            Summary s = run(Long.parseLong(seed.trim()), Integer.parseInt(a.get("seconds")), Integer.parseInt(a.get("workers")),
                    Integer.parseInt(a.get("kill-min-ms")), Integer.parseInt(a.get("kill-max-ms")), Integer.parseInt(a.get("tx-rows")),
                    Path.of(a.get("work-dir")).resolve("seed-" + seed.trim()));
            System.out.println(s.line());
            lines.add(s.line());
            ok &= s.passed();
        }
        System.out.println("source chaos, every seed:");
        lines.forEach(l -> System.out.println("  " + l));
        System.exit(ok ? 0 : 1);
    }

    /** One run with {@code seed}; worker logs in {@code workDir}. */
    public static Summary run(long seed, int seconds, int workers, int killMinMs, int killMaxMs, int txRows, Path workDir)
            throws Exception {
        Files.createDirectories(workDir);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            TrackedTable t = snowflake.changes().createTable(TABLE, List.of("ID"), new ColumnDef("ID", "NUMBER(38,0)", false),
                    new ColumnDef("NAME", "VARCHAR", true), new ColumnDef("QTY", "NUMBER(10,2)", true));
            Random random = new Random(seed);
            Dml dml = new Dml(t, new Random(seed * 31 + 7));
            for (int i = 0; i < 100; i++) {
                dml.insert();
            }
            kafka.createTopic(TOPIC, 3);
            String name = "chaos-" + seed;
            List<Worker> slots = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                Worker w = new Worker(i, workDir, kafka, snowflake, name, txRows);
                w.launch();
                slots.add(w);
            }
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (slots.stream().noneMatch(w -> w.active.get())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no worker became active in 2 minutes; logs in " + workDir);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger kills = new AtomicInteger();
            AtomicInteger restarts = new AtomicInteger();
            Thread killer = new Thread(() -> {
                try {
                    while (!done.get()) {
                        TimeUnit.MILLISECONDS.sleep(killMinMs + random.nextInt(Math.max(1, killMaxMs - killMinMs)));
                        if (done.get()) {
                            break;
                        }
                        Worker victim = slots.stream().filter(w -> w.active.get()).findFirst()
                                .orElse(slots.get(random.nextInt(slots.size())));
                        victim.kill();
                        kills.incrementAndGet();
                        TimeUnit.MILLISECONDS.sleep(random.nextInt(1000));
                        victim.launch();
                        restarts.incrementAndGet();
                    }
                } catch (InterruptedException | IOException e) {
                    Thread.currentThread().interrupt();
                }
            }, "source-chaos-killer");
            killer.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                dml.random();
                TimeUnit.MILLISECONDS.sleep(random.nextInt(20)); // a steady rate, so kills meet DML in flight
            }
            done.set(true);
            killer.join();
            boolean caughtUp = awaitCaughtUp(kafka, t, Duration.ofMinutes(3));
            for (Worker w : slots) {
                w.stop();
            }
            int unexpected = slots.stream().mapToInt(w -> w.unexpectedExits).sum();
            List<ConsumerRecord<byte[], byte[]>> records = SourceChaosVerdict.readCommitted(kafka, TOPIC);
            SourceChaosVerdict.Result verdict = SourceChaosVerdict.compare(records, t.history(), t.rows());
            return new Summary(seed, dml.statements, (int) t.version(), kills.get(), restarts.get(), verdict, caughtUp, unexpected);
        }
    }

    private static boolean awaitCaughtUp(EmbeddedKafka kafka, TrackedTable t, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (SourceChaosVerdict.replay(SourceChaosVerdict.readCommitted(kafka, TOPIC)).equals(SourceChaosVerdict.state(t.rows()))) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return false;
    }

    /** Random DML on the table: the keys it holds are tracked here. */
    private static final class Dml {
        private final TrackedTable t;
        private final Random r;
        private final List<Long> live = new ArrayList<>();
        private long next = 1;
        int statements;

        Dml(TrackedTable t, Random r) {
            this.t = t;
            this.r = r;
        }

        void insert() {
            long id = next++;
            t.insert(row(id, "n" + id));
            live.add(id);
            statements++;
        }

        void random() {
            if (live.size() < 20) {
                insert();
                return;
            }
            int n = 1 + r.nextInt(3);
            t.transaction(tx -> {
                for (int k = 0; k < n; k++) {
                    int pick = r.nextInt(10);
                    int at = r.nextInt(live.size());
                    long id = live.get(at);
                    if (pick < 3) {
                        long fresh = next++;
                        tx.insert(row(fresh, "n" + fresh));
                        live.add(fresh);
                    } else if (pick < 7) {
                        tx.update("ID", id, Map.of("NAME", "u" + statements + "." + k, "QTY", (r.nextInt(10_000) / 100.0) + ""));
                    } else if (pick < 9) {
                        tx.delete("ID", id);
                        live.remove(at);
                    } else {
                        long fresh = next++;
                        tx.update("ID", id, Map.of("ID", fresh)); // a key change
                        live.set(at, fresh);
                    }
                    statements++;
                }
            });
        }

        private static Map<String, Object> row(long id, String name) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", id);
            m.put("NAME", name);
            m.put("QTY", "1.50");
            return m;
        }
    }

    /** One worker slot: its current JVM, whether it said it is active, how it ended. */
    private static final class Worker {
        final int index;
        final Path dir;
        final EmbeddedKafka kafka;
        final SnowflakeEmulator snowflake;
        final String name;
        final int txRows;
        final AtomicBoolean active = new AtomicBoolean();
        volatile Process process;
        volatile boolean killing;
        int incarnation;
        int unexpectedExits;

        Worker(int index, Path dir, EmbeddedKafka kafka, SnowflakeEmulator snowflake, String name, int txRows) {
            this.index = index;
            this.dir = dir;
            this.kafka = kafka;
            this.snowflake = snowflake;
            this.name = name;
            this.txRows = txRows;
        }

        synchronized void launch() throws IOException {
            incarnation++;
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), SourceChaosWorker.class.getName(),
                    "--url", snowflake.url(), "--user", SnowflakeEmulator.USER, "--role", SnowflakeEmulator.ROLE,
                    "--bootstrap", kafka.bootstrapServers(), "--name", name, "--table", TABLE, "--topic", TOPIC,
                    "--tx-rows", Integer.toString(txRows)));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put(ChaosWorker.KEY_ENV, snowflake.privateKeyPem().reveal());
            killing = false;
            active.set(false);
            Process p = pb.start();
            process = p;
            Path log = dir.resolve(String.format(Locale.ROOT, "worker-%d-%03d.log", index, incarnation));
            Thread pump = new Thread(() -> pump(p, log), "source-chaos-pump-" + index + "-" + incarnation);
            pump.setDaemon(true);
            pump.start();
        }

        private void pump(Process p, Path log) {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    out.println(line);
                    if (p == process) {
                        if (line.equals("ACTIVE")) {
                            active.set(true);
                        } else if (line.equals("STANDBY")) {
                            active.set(false);
                        }
                    }
                }
            } catch (IOException e) {
                // the worker was killed
            }
            if (p == process && !killing) {
                try {
                    if (p.waitFor() != 0) {
                        synchronized (this) {
                            unexpectedExits++;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        synchronized void kill() throws InterruptedException {
            killing = true;
            active.set(false);
            Process p = process;
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }

        synchronized void stop() throws IOException, InterruptedException {
            killing = true;
            Process p = process;
            p.getOutputStream().close(); // the worker closes its bridge and exits
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                unexpectedExits++;
            }
        }
    }
}
