package io.ksbridge.benchmarks.e2e;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordTransform;
import io.ksbridge.Transforms;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The end-to-end throughput run: one in-process broker, N records of about 1 KiB JSON, then in the same JVM the
 * bare consume loop (the baseline), the usual tree-and-gzip pipeline, and ksbridge with each backend available.
 * Prints records/s, MB/s, process CPU seconds and each ratio to the bare loop, median of several runs.
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -Xms1g -Xmx1g -cp "$(cat
 * benchmarks/target/classpath.txt):benchmarks/target/classes" io.ksbridge.benchmarks.e2e.EndToEnd --records 1000000}
 * (see the README's Performance section for the exact command).
 */
public final class EndToEnd {
    /** One contender: consumes the topic from the start in a fresh group until every record is handled. */
    public interface Contender {
        /** The row's name in the table. */
        String name();

        /** Loads every record of {@link #topic} once, starting in the fresh consumer group {@code group}. */
        void run(String group) throws Exception;
    }

    /**
     * More contenders, found with {@link java.util.ServiceLoader} on the class path: Snowflake's Kafka connector in
     * an embedded Connect worker is one (benchmarks' test scope, with the peers module: it must never sit on a main
     * class path). Called once, after the records are produced.
     */
    public interface ContenderSource {
        /** The contenders to run after ksbridge's, on {@link #kafka} and the same emulator as ksbridge's backends. */
        List<Contender> contenders() throws Exception;
    }

    record Result(String name, double seconds, double cpuSeconds) {
    }

    static String topic = "bench";
    static int records = 1_000_000;
    static int partitions = 4;
    static int runs = 3;
    static long valueBytes;
    /** When set, only the baseline and contenders whose name contains it run (for profiling one). */
    static String only;
    /** Whether contenders of a {@link ContenderSource} on the class path run too (the connector's). */
    static boolean withSources = true;
    static EmbeddedKafka kafka;
    /**
     * The emulator's stage mode for every contender of the run ({@code --stages local|cloud}); null: LOCAL_FS, or
     * cloud-style when a connector contender is selected (the connector refuses LOCAL_FS stages).
     */
    static StageMode stages;
    /** CPU seconds of the bridge's polling thread in the last bridge run. */
    static volatile double lastLoopCpuSeconds = -1;

    private EndToEnd() {
    }

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0); // the SDKs leave non-daemon threads behind
    }

    /** Runs every contender and returns, per contender, the median records/s. Prints the table. */
    public static Map<String, Double> run(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--only" -> only = args[++i];
                case "--no-connector" -> withSources = false;
                case "--stages" -> stages = StageMode.parse(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (known: --records N, --runs N, --partitions N, --only <name part>, --no-connector,"
                        + " --stages local|cloud)");
            }
        }
        try (EmbeddedKafka k = EmbeddedKafka.start()) {
            kafka = k;
            produce();
            List<Contender> contenders = new ArrayList<>();
            contenders.add(bareLoop());
            contenders.add(treeAndGzip());
            contenders.add(bridge("ksbridge engine (discarding backend)", DiscardingBackend::new));
            contenders.add(bridge(MASKED, DiscardingBackend::new, Transforms.mask("customer", "notes")));
            contenders.addAll(Backends.available());
            List<Contender> connectors = new ArrayList<>();
            if (withSources) {
                for (ContenderSource source : java.util.ServiceLoader.load(ContenderSource.class)) {
                    connectors.addAll(source.contenders());
                }
            }
            contenders.addAll(connectors);
            if (only != null) {
                contenders.removeIf(c -> !c.name().contains("baseline") && !c.name().contains(only));
            }
            stages = StageMode.choose(stages, contenders.stream().anyMatch(connectors::contains));
            Backends.emulator().cloudStyleStages(stages == StageMode.CLOUD);
            System.out.println("stages: " + stages.label + " for every contender of this run");
            Map<String, List<Result>> results = new LinkedHashMap<>();
            for (int run = 0; run < runs; run++) {
                for (Contender c : contenders) {
                    results.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(measure(c, "g-" + run + "-" + c.name().hashCode()));
                }
            }
            print(results);
            printRatios(results);
            Map<String, Double> rates = new LinkedHashMap<>();
            results.forEach((name, rs) -> rates.put(name, records / median(rs)));
            return rates;
        } finally {
            valueBytes = 0;
            withSources = true;
            stages = null;
        }
    }

    static void produce() throws Exception {
        kafka.createTopic(topic, partitions, Map.of("compression.type", "lz4"));
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = kafka.newProducer(Map.of("compression.type", "lz4",
                "max.in.flight.requests.per.connection", "5"))) {
            // warm the partitions with one record each through a one-in-flight producer (KAFKA-15591), then go fast
            for (int part = 0; part < partitions; part++) {
                kafka.produce(new ProducerRecord<>(topic, part, null, SampleData.value(42, -1 - part)));
            }
            for (int i = 0; i < records - partitions; i++) {
                byte[] v = SampleData.value(42, i);
                valueBytes += v.length;
                p.send(new ProducerRecord<>(topic, i % partitions, null, v));
            }
            p.flush();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("produced %,d records (%.1f MB of values) in %.1f s%n", records, valueBytes / 1e6, s);
    }

    static Result measure(Contender c, String group) throws Exception {
        System.gc();
        long cpu0 = processCpuNanos();
        ThreadCpu threads = ThreadCpu.start();
        long t0 = System.nanoTime();
        try {
            c.run(group);
        } finally {
            threads.stop();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        System.out.printf("  %-44s %6.2f s  %,10.0f rec/s  cpu %5.1f s%s%n", c.name(), seconds, records / seconds, cpu,
                lastLoopCpuSeconds >= 0 ? String.format("  (polling thread %.2f s)", lastLoopCpuSeconds) : "");
        System.out.println("      cpu by thread: " + threads.top(7, cpu));
        System.out.printf("      memory: peak heap used %,d MB, peak RSS %,d MB (sampled every 100 ms)%n",
                threads.peakHeapBytes >> 20, threads.peakRssBytes >> 20);
        lastLoopCpuSeconds = -1;
        return new Result(c.name(), seconds, cpu);
    }

    /**
     * CPU time per thread group (names with their numbers removed) during one measurement, sampled every 100 ms so
     * threads that end before the measurement does (the bridge's, at close) are counted up to their last sample.
     * What no Java thread accounts for (GC and JIT threads) shows as "other (GC, JIT)".
     */
    static final class ThreadCpu {
        private final java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<Long, long[]> firstAndLast = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<Long, String> names = new java.util.concurrent.ConcurrentHashMap<>();
        private final Thread sampler;
        private volatile boolean running = true;
        /** Highest heap in use and resident set size seen by the sampler during the measurement. */
        volatile long peakHeapBytes;
        volatile long peakRssBytes;

        private ThreadCpu() {
            sample(true);
            sampler = new Thread(() -> {
                while (running) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample(false);
                }
            }, "bench-cpu-sampler");
            sampler.setDaemon(true);
            sampler.start();
        }

        static ThreadCpu start() {
            return new ThreadCpu();
        }

        private void sample(boolean first) {
            peakHeapBytes = Math.max(peakHeapBytes, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            peakRssBytes = Math.max(peakRssBytes, rssBytes());
            for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long id = info.getThreadId();
                long t = mx.getThreadCpuTime(id);
                if (t < 0) {
                    continue;
                }
                names.putIfAbsent(id, info.getThreadName().replaceAll("[0-9]+", "N"));
                // a thread first seen after the start began at 0
                firstAndLast.compute(id, (k, v) -> v == null ? new long[] {first ? t : 0, t} : new long[] {v[0], t});
            }
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.interrupt();
            sampler.join();
            sample(false);
        }

        /** The {@code n} groups that used most CPU, as "name 1.23 s", and what no thread accounts for. */
        String top(int n, double processCpuSeconds) {
            Map<String, Double> groups = new LinkedHashMap<>();
            firstAndLast.forEach((id, v) -> groups.merge(names.get(id), (v[1] - v[0]) / 1e9, Double::sum));
            double threads = groups.values().stream().mapToDouble(Double::doubleValue).sum();
            StringBuilder out = new StringBuilder();
            groups.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                    .forEach(e -> out.append(String.format("%s %.2f s; ", e.getKey(), e.getValue())));
            out.append(String.format("other (GC, JIT) %.2f s", Math.max(0, processCpuSeconds - threads)));
            return out.toString();
        }
    }

    /** This process's resident set size from /proc (Linux), or 0 where it cannot be read. */
    static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static KafkaConsumer<byte[], byte[]> consumer(String group) {
        Map<String, Object> props = kafka.consumerProperties(group);
        props.put("enable.auto.commit", false);
        props.put("max.poll.records", 2000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static Contender bareLoop() {
        return new Contender() {
            public String name() {
                return "bare consume loop (baseline)";
            }

            public void run(String group) {
                long n = 0;
                long bytes = 0;
                try (KafkaConsumer<byte[], byte[]> c = consumer(group)) {
                    c.subscribe(List.of(topic));
                    while (n < records) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                            n++;
                            bytes += r.value().length;
                        }
                    }
                }
                if (bytes == 0) {
                    throw new IllegalStateException("no bytes read");
                }
            }
        };
    }

    /** Parse each value into a Jackson tree, write a JSON line with metadata, gzip at the default level. */
    static Contender treeAndGzip() {
        ObjectMapper mapper = new ObjectMapper();
        JsonFactory factory = mapper.getFactory();
        return new Contender() {
            public String name() {
                return "tree + JSON line + gzip(6) (usual pipeline)";
            }

            public void run(String group) throws Exception {
                long n = 0;
                CountingStream sink = new CountingStream();
                try (KafkaConsumer<byte[], byte[]> c = consumer(group);
                     GZIPOutputStream gz = new GZIPOutputStream(sink, 65536)) {
                    c.subscribe(List.of(topic));
                    while (n < records) {
                        ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofMillis(100));
                        for (ConsumerRecord<byte[], byte[]> r : polled) {
                            JsonNode tree = mapper.readTree(r.value());
                            JsonGenerator g = factory.createGenerator((OutputStream) gz);
                            g.writeStartObject();
                            g.writeFieldName("content");
                            mapper.writeTree(g, tree);
                            g.writeObjectFieldStart("meta");
                            g.writeStringField("topic", r.topic());
                            g.writeNumberField("offset", r.offset());
                            g.writeNumberField("partition", r.partition());
                            g.writeNumberField("CreateTime", r.timestamp());
                            g.writeEndObject();
                            g.writeEndObject();
                            g.flush();
                            gz.write('\n');
                            n++;
                        }
                    }
                }
                if (sink.count == 0) {
                    throw new IllegalStateException("nothing written");
                }
            }
        };
    }

    /** The engine with a two-field mask (a top-level object and a ~900-byte string), beside the untransformed one. */
    static final String MASKED = "ksbridge engine + mask 2 fields (discarding backend)";

    static Contender bridge(String name, Supplier<IngestBackend> backend) {
        return bridge(name, backend, null);
    }

    static Contender bridge(String name, Supplier<IngestBackend> backend, RecordTransform transform) {
        return new Contender() {
            public String name() {
                return name;
            }

            public void run(String group) throws Exception {
                AtomicLong durable = new AtomicLong();
                Map<String, Object> props = kafka.consumerProperties(group);
                props.put("max.poll.records", 2000);
                KafkaToSnowflakeBridge.Builder builder = KafkaToSnowflakeBridge.builder();
                if (transform != null) {
                    builder.transform(transform);
                }
                try (KafkaToSnowflakeBridge bridge = builder
                        .name("bench")
                        .consumerProperties(props)
                        .topics(topic)
                        .flushPolicy(FlushPolicy.records(20_000).or(FlushPolicy.bytes(16_000_000))
                                .or(FlushPolicy.age(Duration.ofMillis(100))))
                        .maxBufferedBytes(256L << 20)
                        .backend(backend.get())
                        .listener(new BridgeListener() {
                            @Override
                            public void onDurable(BridgeEvents.Durable event) {
                                durable.addAndGet(event.rows());
                            }
                        })
                        .build()) {
                    bridge.start();
                    Thread loop = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().equals("ksbridge-bench")).findFirst().orElse(null);
                    while (durable.get() < records) {
                        if (!bridge.isRunning() && bridge.failure() != null) {
                            throw new IllegalStateException("bridge failed", bridge.failure());
                        }
                        Thread.sleep(2);
                    }
                    if (loop != null) {
                        lastLoopCpuSeconds = ManagementFactory.getThreadMXBean().getThreadCpuTime(loop.getId()) / 1e9;
                    }
                }
            }
        };
    }

    static void print(Map<String, List<Result>> results) {
        double base = median(results.values().iterator().next());
        System.out.println();
        System.out.printf("%d records, %d partitions, %.0f bytes/value on average, %d cores, median of %d runs, stages %s%n",
                records, partitions, (double) valueBytes / records, Runtime.getRuntime().availableProcessors(), runs,
                stages.label);
        System.out.printf("| %-44s | %12s | %8s | %8s | %10s |%n", "pipeline", "records/s", "MB/s", "CPU s", "vs bare");
        System.out.printf("|%s|%s|%s|%s|%s|%n", "-".repeat(46), "-".repeat(14), "-".repeat(10), "-".repeat(10), "-".repeat(12));
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            double s = median(e.getValue());
            double cpu = e.getValue().stream().mapToDouble(Result::cpuSeconds).sorted().toArray()[e.getValue().size() / 2];
            System.out.printf("| %-44s | %,12.0f | %8.1f | %8.1f | %9.2fx |%n", e.getKey(), records / s,
                    valueBytes / s / 1e6, cpu, base / s);
        }
    }

    /** ksbridge ÷ connector per mode, for each pair of rows whose names say which mode (when both ran). */
    static void printRatios(Map<String, List<Result>> results) {
        String[][] pairs = {
            {"ksbridge + Snowpipe (gzip) to loaded", "connector 2.5.0 Snowpipe (gzip) to loaded"},
            {"ksbridge + Snowpipe (zstd) to loaded", "connector 2.5.0 Snowpipe (gzip) to loaded"},
            {"ksbridge + Streaming to committed", "connector 2.5.0 Streaming to committed"},
            {MASKED, "ksbridge engine (discarding backend)"},
        };
        for (String[] pair : pairs) {
            if (results.containsKey(pair[0]) && results.containsKey(pair[1])) {
                double k = median(results.get(pair[0]));
                double c = median(results.get(pair[1]));
                System.out.printf("%s ÷ %s: %.2fx records/s, %.2fx CPU s%n", pair[0], pair[1], c / k,
                        cpu(results.get(pair[0])) / cpu(results.get(pair[1])));
            }
        }
    }

    static double cpu(List<Result> rs) {
        return rs.stream().mapToDouble(Result::cpuSeconds).sorted().toArray()[rs.size() / 2];
    }

    static double median(List<Result> rs) {
        List<Double> s = new ArrayList<>(rs.stream().map(Result::seconds).toList());
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
