package io.ksbridge.benchmarks.source;

import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.source.SnowflakeToKafkaBridge;
import io.ksbridge.source.SourceListener;
import io.ksbridge.source.TableSpec;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Throughput of {@link SnowflakeToKafkaBridge} against a bare Kafka producer, in one JVM and one run: an N-row initial
 * snapshot, then a stream of M changes (updates, inserts, deletes, in DML transactions of {@code --dml-tx} changes
 * committed while the bridge runs). The baseline is a bare transactional producer sending the very records the
 * bridge published (read back from its topic: same keys, values and headers), in transactions of the same sizes as
 * the bridge's (taken from its commit events). The emulator answers Snowflake's side in this JVM; its threads' CPU
 * time is printed apart from the bridge's loop and producer threads, so the bridge's own cost can be read alone.
 *
 * <p>Run: {@code mvn -B -q -Psource -DskipTests package -pl benchmarks -am} (arguments: {@code
 * -Dsource.args="--rows 1000000 --changes 200000"}).
 */
public final class SourceThroughput {
    private static final String TABLE = "DB.PUBLIC.BENCH";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SourceThroughput() {
    }

    /** Options: {@code --rows N --changes M --dml-tx K --tx-rows R --partition-rows P}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("rows", "1000000", "changes", "200000", "dml-tx", "10000", "tx-rows", "50000",
                "partition-rows", "10000"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rows = Integer.parseInt(o.get("rows"));
        int changes = Integer.parseInt(o.get("changes"));
        int dmlTx = Integer.parseInt(o.get("dml-tx"));
        int txRows = Integer.parseInt(o.get("tx-rows"));
        if (changes > rows) {
            throw new IllegalArgumentException("--changes must be <= --rows (each row changes at most once)");
        }
        System.out.printf(Locale.ROOT, "source throughput: %,d-row snapshot, %,d changes in DML transactions of %,d, bridge"
                + " transactions of up to %,d rows; %d cores, heap %,d MiB; load average %.2f%n", rows, changes, dmlTx, txRows,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, load());
        THREADS.setThreadCpuTimeEnabled(true);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            snowflake.changes().partitionRows(Integer.parseInt(o.get("partition-rows")));
            TrackedTable t = snowflake.changes().createTable(TABLE, List.of("ID"), new ColumnDef("ID", "NUMBER(38,0)", false),
                    new ColumnDef("NAME", "VARCHAR", true), new ColumnDef("QTY", "NUMBER(10,2)", true),
                    new ColumnDef("NOTE", "VARCHAR", true));
            long loadStart = System.nanoTime();
            for (int from = 0; from < rows; from += 100_000) {
                List<Map<String, Object>> chunk = new ArrayList<>();
                for (int i = from; i < Math.min(rows, from + 100_000); i++) {
                    chunk.add(row(i, "name-" + i));
                }
                t.insertAll(chunk);
            }
            System.out.printf(Locale.ROOT, "emulator loaded %,d rows in %.1f s; heap used %,d MiB%n", rows,
                    (System.nanoTime() - loadStart) / 1e9, used());
            kafka.createTopic("bench.source", 3);
            kafka.createTopic("bench.baseline", 3);
            ConcurrentLinkedQueue<Integer> commits = new ConcurrentLinkedQueue<>();
            AtomicLong published = new AtomicLong();
            Map<String, Object> producer = Map.of("bootstrap.servers", kafka.bootstrapServers(), "linger.ms", "5");
            SnowflakeToKafkaBridge bridge = SnowflakeToKafkaBridge.builder().name("bench").account(account(snowflake))
                    .producerProperties(producer).table(TableSpec.of(TABLE).topic("bench.source")).maxTransactionRows(txRows)
                    .pollInterval(Duration.ofMillis(100)).electionTimeout(Duration.ofMinutes(2))
                    .listener(new SourceListener() {
                        @Override
                        public void onCommit(CommitEvent e) {
                            if (e.records() > 0) {
                                commits.add(e.records());
                                published.addAndGet(e.records());
                            }
                        }
                    }).build();
            try (bridge) {
                Map<String, Long> cpu0 = cpu();
                long s0 = System.nanoTime();
                bridge.start();
                awaitPublished(bridge, published, rows);
                double snapSec = (System.nanoTime() - s0) / 1e9;
                Map<String, Long> cpuSnap = delta(cpu0, cpu());
                double loadSnap = load();
                List<Integer> snapTx = drain(commits);
                List<ConsumerRecord<byte[], byte[]>> snapRecords = read(kafka, "bench.source", 0);
                Baseline baseSnap = baseline(kafka, producer, snapRecords, snapTx, "snap");
                snapRecords = null;
                report("snapshot", rows, "rows", snapSec, cpuSnap, loadSnap, baseSnap, snapTx);

                long before = published.get();
                long expected = 0;
                Random random = new Random(7);
                int updates = changes * 7 / 10;
                int inserts = changes * 2 / 10;
                int deletes = changes - updates - inserts;
                List<Long> ids = new ArrayList<>();
                for (long i = 0; i < rows; i++) {
                    ids.add(i);
                }
                java.util.Collections.shuffle(ids, random);
                int next = 0;
                long newId = rows;
                Map<String, Long> cpu1 = cpu();
                long s1 = System.nanoTime();
                for (int done = 0; done < changes; done += dmlTx) {
                    int n = Math.min(dmlTx, changes - done);
                    Set<String> upd = new HashSet<>();
                    Set<String> del = new HashSet<>();
                    List<Map<String, Object>> ins = new ArrayList<>();
                    for (int k = 0; k < n; k++) {
                        int pick = random.nextInt(10);
                        if (pick < 7 && updates > 0 || inserts == 0 && deletes == 0) {
                            upd.add(Long.toString(ids.get(next++)));
                            updates--;
                            expected += 1;
                        } else if (pick < 9 && inserts > 0 || deletes == 0) {
                            ins.add(row(newId++, "new"));
                            inserts--;
                            expected += 1;
                        } else {
                            del.add(Long.toString(ids.get(next++)));
                            deletes--;
                            expected += 2; // a delete event and its tombstone
                        }
                    }
                    t.transaction(tx -> {
                        tx.updateWhere(r -> upd.contains(r.get("ID")), Map.of("NAME", "updated", "QTY", "2.25"));
                        tx.deleteWhere(r -> del.contains(r.get("ID")));
                        ins.forEach(tx::insert);
                    });
                }
                long dmlDone = System.nanoTime();
                awaitPublished(bridge, published, before + expected);
                double cdcSec = (System.nanoTime() - s1) / 1e9;
                System.out.printf(Locale.ROOT, "changes: the DML took %.1f s in this JVM (emulator); the bridge finished %.1f s"
                        + " after its last commit%n", (dmlDone - s1) / 1e9, (System.nanoTime() - dmlDone) / 1e9);
                Map<String, Long> cpuCdc = delta(cpu1, cpu());
                double loadCdc = load();
                List<Integer> cdcTx = drain(commits);
                List<ConsumerRecord<byte[], byte[]>> cdcRecords = read(kafka, "bench.source", rows);
                Baseline baseCdc = baseline(kafka, producer, cdcRecords, cdcTx, "cdc");
                report("changes", changes, "changes", cdcSec, cpuCdc, loadCdc, baseCdc, cdcTx);
            }
        }
    }

    private static Map<String, Object> row(long id, String name) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ID", id);
        r.put("NAME", name);
        r.put("QTY", "1.50");
        r.put("NOTE", "a note of about sixty characters, the same on every row of it");
        return r;
    }

    private static SnowflakeAccount account(SnowflakeEmulator snowflake) {
        return SnowflakeAccount.builder().url(snowflake.account().url().toString()).allowInsecureHttp().user(SnowflakeEmulator.USER)
                .role(SnowflakeEmulator.ROLE).warehouse("BENCH_WH").privateKey(snowflake.privateKeyPem()).build();
    }

    private static void awaitPublished(SnowflakeToKafkaBridge bridge, AtomicLong published, long target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (published.get() < target) {
            if (bridge.failure().isPresent()) {
                throw new IllegalStateException("the bridge failed", bridge.failure().get());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("published " + published.get() + " of " + target + " records in 30 minutes");
            }
            Thread.sleep(20); // polling a counter the bridge's listener moves: the measurement's own clock tick
        }
    }

    private static List<Integer> drain(ConcurrentLinkedQueue<Integer> q) {
        List<Integer> out = new ArrayList<>();
        for (Integer i; (i = q.poll()) != null; ) {
            out.add(i);
        }
        return out;
    }

    /** The committed records of a topic, skipping the first {@code skip} (all partitions, in partition then offset order). */
    private static List<ConsumerRecord<byte[], byte[]>> read(EmbeddedKafka kafka, String topic, long skip) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long seen = 0;
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (seen++ >= skip) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    record Baseline(double seconds, long cpuNanos, long bytes) {
    }

    /** A bare transactional producer sending the same records in transactions of the same sizes. */
    private static Baseline baseline(EmbeddedKafka kafka, Map<String, Object> common, List<ConsumerRecord<byte[], byte[]>> records,
            List<Integer> sizes, String id) {
        Map<String, Object> p = new HashMap<>(common);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "baseline-" + id);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long bytes = 0;
        Map<String, Long> cpu0 = cpu();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            int i = 0;
            for (int size : sizes) {
                producer.beginTransaction();
                for (int j = 0; j < size && i < records.size(); j++, i++) {
                    ConsumerRecord<byte[], byte[]> r = records.get(i);
                    bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                    producer.send(new ProducerRecord<>("bench.baseline", null, r.key(), r.value(), r.headers()));
                }
                producer.send(new ProducerRecord<>("bench.baseline", null, "position".getBytes(), new byte[64])); // as the bridge's
                producer.commitTransaction();
            }
        }
        double sec = (System.nanoTime() - start) / 1e9;
        Map<String, Long> used = delta(cpu0, cpu());
        return new Baseline(sec, used.getOrDefault("main (DML, baseline sends)", 0L) + used.getOrDefault("baseline producer I/O", 0L),
                bytes);
    }

    private static void report(String what, long n, String unit, double sec, Map<String, Long> cpu, double load, Baseline base,
            List<Integer> tx) {
        System.out.printf(Locale.ROOT, "%s: %,d %s (%,d records, %,.1f MB, %d transactions): bridge %.1f s (%,.0f %s/s);"
                        + " bare transactional producer %.1f s (%,.0f %s/s); ratio %.2f; load average %.2f%n", what, n, unit,
                tx.stream().mapToLong(Integer::longValue).sum(), base.bytes() / 1e6, tx.size(), sec, n / sec, unit, base.seconds(),
                n / base.seconds(), unit, sec / base.seconds(), load);
        StringBuilder b = new StringBuilder("  CPU seconds by thread: ");
        cpu.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> b.append(
                String.format(Locale.ROOT, "%s %.1f; ", e.getKey(), e.getValue() / 1e9)));
        b.append(String.format(Locale.ROOT, "bare producer (its sending thread and I/O thread) %.1f", base.cpuNanos() / 1e9));
        long bridge = cpu.getOrDefault("bridge loop", 0L) + cpu.getOrDefault("bridge producer I/O", 0L)
                + cpu.getOrDefault("bridge HTTP client", 0L);
        b.append(String.format(Locale.ROOT, "%n  bridge's own threads %.1f s CPU against the bare producer's %.1f s (%.2f×);"
                + " emulator %.1f s", bridge / 1e9, base.cpuNanos() / 1e9, (double) bridge / Math.max(1, base.cpuNanos()),
                cpu.getOrDefault("emulator (Snowflake's side)", 0L) / 1e9));
        System.out.println(b);
    }

    /** CPU nanoseconds by thread group, over the live threads. */
    private static Map<String, Long> cpu() {
        Map<String, Long> out = new HashMap<>();
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long t = THREADS.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                out.merge(info.getThreadId() + "\u0000" + group(info.getThreadName()), t, Long::sum);
            }
        }
        return out;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new HashMap<>();
        after.forEach((k, v) -> out.merge(k.substring(k.indexOf('\u0000') + 1), v - before.getOrDefault(k, 0L), Long::sum));
        return out;
    }

    private static String group(String thread) {
        if (thread.startsWith("ksbridge-source-")) {
            return "bridge loop";
        }
        if (thread.contains("producer-ksbridge-")) {
            return "bridge producer I/O";
        }
        if (thread.contains("producer-baseline-")) {
            return "baseline producer I/O";
        }
        if (thread.startsWith("snowflake-emulator") || thread.startsWith("HttpClient")) {
            return thread.startsWith("HttpClient") ? "bridge HTTP client" : "emulator (Snowflake's side)";
        }
        if (thread.startsWith("main")) {
            return "main (DML, baseline sends)";
        }
        if (thread.contains("kafka") || thread.contains("raft") || thread.contains("broker")) {
            return "broker";
        }
        return "other";
    }

    private static double load() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os.getSystemLoadAverage();
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }
}
