package io.ksbridge.chaos;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One chaos worker: a small host application that embeds a {@link KafkaToSnowflakeBridge} with a
 * {@link SnowpipeBackend} (or, with {@code --backend streaming}, a {@link StreamingBackend}), in the coordinator's consumer group, either in own-loop mode ({@code bridge.start()}) or
 * in host-loop mode (its own {@code KafkaConsumer}, {@code accept}, {@code commitSync(durableOffsets())}). Started by
 * {@link ChaosRunner}; not meant to be run by hand.
 *
 * <p>Arguments: {@code --id N --mode own|host --bootstrap HOST:PORT --group G --topics a,b,c --dlq TOPIC --url URL
 * --user U --role R --max-record-bytes N --max-buffered-bytes N [--backend snowpipe|streaming] [--gc-sample]}. The private key (PKCS#8 PEM) comes in
 * the environment variable {@value #KEY_ENV}, its passphrase (optional) in {@value #PASSPHRASE_ENV}: never on the
 * command line, never printed.
 *
 * <p>Output: {@code ASSIGNED at=MILLIS id=W.I [topic-p, ...]} and {@code REVOKED ...} lines when the bridge gets or
 * gives up partitions (revoked or lost), with this incarnation's {@code --id}; a {@code STATUS} line every second ({@code heapUsed}, {@code liveHeap} after the last sampling GC when
 * {@code --gc-sample} is given, {@code threads}, {@code buffered}), the bridge's log, and {@code FAILED ...} before
 * exiting with status 3 when the bridge stops on a failure. The line {@code stop} (or the end of) standard input
 * closes the bridge and exits with status 0.
 */
public final class ChaosWorker {
    /** The environment variable carrying the private key PEM. */
    public static final String KEY_ENV = "KSBRIDGE_CHAOS_PRIVATE_KEY";
    /** The environment variable carrying the private key's passphrase. */
    public static final String PASSPHRASE_ENV = "KSBRIDGE_CHAOS_PASSPHRASE";

    private final Map<String, String> args;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong durableRows = new AtomicLong();
    private volatile long liveHeap = -1;

    private ChaosWorker(Map<String, String> args) {
        this.args = args;
    }

    /**
     * Runs a worker until told to stop or killed.
     *
     * @param argv see the class description
     */
    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
            args.put(a.substring(2), flag ? "true" : argv[++i]);
        }
        int status = new ChaosWorker(args).run();
        System.out.flush();
        System.exit(status);
    }

    private String arg(String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing argument --" + name);
        }
        return v;
    }

    private int run() throws Exception {
        String id = arg("id");
        String mode = arg("mode");
        List<String> topics = Arrays.asList(arg("topics").split(","));
        String key = System.getenv(KEY_ENV);
        if (key == null) {
            throw new IllegalArgumentException("the private key is missing: set " + KEY_ENV);
        }
        SnowflakeAccount.Builder accountBuilder = SnowflakeAccount.builder().url(arg("url")).allowInsecureHttp().user(arg("user"))
                .role(arg("role")).privateKey(Secret.of(key));
        String passphrase = System.getenv(PASSPHRASE_ENV);
        if (passphrase != null) {
            accountBuilder.passphrase(Secret.of(passphrase));
        }
        SnowflakeAccount account = accountBuilder.build();
        String kind = args.getOrDefault("backend", "snowpipe");
        IngestBackend backend = "streaming-hp".equals(kind)
                // the emulator serves the SDK's REST mode to workers (no AWS_ENDPOINT_URL): stay under its file-mode switch
                ? HighPerformanceStreamingBackend.builder().account(account).database("CHAOS").schema("PUBLIC")
                        .maxChannelBytesPerSecond(400_000).writerThreads(8).callTimeout(Duration.ofSeconds(30)).build()
                : "streaming".equals(kind)
                ? StreamingBackend.builder().account(account).database("CHAOS").schema("PUBLIC")
                        .maxClientLag(Duration.ofSeconds(1)).build()
                : SnowpipeBackend.builder().account(account).database("CHAOS").schema("PUBLIC")
                        .statusPollInterval(Duration.ofMillis(100)).historyFallback(Duration.ofSeconds(2)).build();
        Map<String, Object> consumer = new HashMap<>();
        consumer.put("bootstrap.servers", arg("bootstrap"));
        consumer.put("group.id", arg("group"));
        consumer.put("client.id", "chaos-worker-" + id);
        consumer.put("auto.offset.reset", "earliest");
        consumer.put("session.timeout.ms", "4000");
        consumer.put("heartbeat.interval.ms", "500");
        consumer.put("max.poll.interval.ms", "60000");
        BridgeListener listener = new BridgeListener() {
            @Override
            public void onDeadLetter(BridgeEvents.DeadLetter event) {
                deadLetters.incrementAndGet();
            }

            @Override
            public void onDurable(BridgeEvents.Durable event) {
                durableRows.addAndGet(event.rows());
            }

            @Override
            public void onAssigned(java.util.Set<TopicPartition> partitions) {
                System.out.println(ownership("ASSIGNED", id, partitions));
            }

            @Override
            public void onRevoked(java.util.Set<TopicPartition> partitions) {
                System.out.println(ownership("REVOKED", id, partitions));
            }

            @Override
            public void onRetry(BridgeEvents.Retry event) {
                retries.incrementAndGet();
            }

            @Override
            public void onLoadFailure(BridgeEvents.LoadFailure event) {
                System.out.println("LOADFAILURE " + event);
            }
        };
        long maxBuffered = Long.parseLong(arg("max-buffered-bytes"));
        KafkaToSnowflakeBridge.Builder builder = KafkaToSnowflakeBridge.builder()
                .name("chaos-" + id)
                .flushPolicy(FlushPolicy.records(1_000).or(FlushPolicy.bytes(1 << 20)).or(FlushPolicy.age(Duration.ofMillis(300))))
                .maxBufferedBytes(maxBuffered)
                .maxRecordBytes(Long.parseLong(arg("max-record-bytes")))
                .retryPolicy(RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(2)))
                .commitInterval(Duration.ofMillis(200))
                .closeTimeout(Duration.ofSeconds(20))
                .backend(backend)
                .listener(listener);
        boolean own = mode.equals("own");
        if (own) {
            builder.consumerProperties(consumer).topics(topics)
                    .errorPolicy(ErrorPolicy.deadLetter(arg("dlq")));
        } else {
            builder.errorPolicy(ErrorPolicy.deadLetter(arg("dlq"), Map.of("bootstrap.servers", arg("bootstrap"))));
        }
        KafkaToSnowflakeBridge bridge = builder.build();
        // what a host would log at start: it must not show the key or the passphrase
        System.out.println("SETTINGS " + bridge.settings());
        System.out.println("BACKEND " + backend);
        System.out.println("ACCOUNT " + account);
        startStdinWatcher();
        startStatus(bridge, args.containsKey("gc-sample"));
        return own ? runOwnLoop(bridge) : runHostLoop(bridge, consumer, topics);
    }

    private int runOwnLoop(KafkaToSnowflakeBridge bridge) throws InterruptedException {
        bridge.start();
        while (!stop.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (!bridge.isRunning()) {
                return failed(bridge.failure());
            }
        }
        bridge.close();
        Throwable failure = bridge.failure();
        System.out.println("STOPPED deadLetters=" + deadLetters.get() + " retries=" + retries.get());
        return failure == null ? 0 : failed(failure);
    }

    private int runHostLoop(KafkaToSnowflakeBridge bridge, Map<String, Object> props, List<String> topics) {
        Map<String, Object> p = new HashMap<>(props);
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(topics, bridge.rebalanceListener(consumer));
            long lastCommit = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
            while (stop.getCount() > 0) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                try {
                    bridge.accept(records);
                } catch (RuntimeException e) {
                    return failed(e);
                }
                if (System.nanoTime() - lastCommit > 200_000_000L) {
                    Map<TopicPartition, OffsetAndMetadata> durable = bridge.durableOffsets();
                    durable.keySet().retainAll(consumer.assignment());
                    if (!durable.isEmpty() && !durable.equals(committed)) {
                        try {
                            consumer.commitSync(durable);
                            committed = durable;
                        } catch (CommitFailedException | RebalanceInProgressException | WakeupException e) {
                            System.out.println("commit skipped during a rebalance: " + e.getClass().getSimpleName());
                        }
                    }
                    lastCommit = System.nanoTime();
                }
            }
            bridge.close();
            Map<TopicPartition, OffsetAndMetadata> durable = bridge.durableOffsets();
            durable.keySet().retainAll(consumer.assignment());
            if (!durable.isEmpty()) {
                consumer.commitSync(durable, Duration.ofSeconds(10));
            }
            consumer.close(Duration.ofSeconds(5));
        }
        System.out.println("STOPPED deadLetters=" + deadLetters.get() + " retries=" + retries.get());
        return bridge.failure() == null ? 0 : failed(bridge.failure());
    }

    /** {@code ASSIGNED at=MILLIS id=W.I [topic-p, ...]}: what the coordinator's ownership timeline reads. */
    private static String ownership(String what, String id, java.util.Set<TopicPartition> partitions) {
        return what + " at=" + System.currentTimeMillis() + " id=" + id + " "
                + new java.util.TreeSet<>(partitions.stream().map(TopicPartition::toString).toList());
    }

    private static int failed(Throwable failure) {
        System.out.println("FAILED " + failure);
        if (failure != null) {
            failure.printStackTrace(System.out);
        }
        System.out.flush();
        return 3;
    }

    private void startStdinWatcher() {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("stop")) {
                        break;
                    }
                }
            } catch (java.io.IOException ignored) {
                // the coordinator went away: stop as well
            }
            stop.countDown();
        }, "chaos-stdin");
        t.setDaemon(true);
        t.start();
    }

    private void startStatus(KafkaToSnowflakeBridge bridge, boolean gcSample) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Thread t = new Thread(() -> {
            long tick = 0;
            while (true) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                tick++;
                if (gcSample && tick % 10 == 0) {
                    System.gc();
                    liveHeap = memory.getHeapMemoryUsage().getUsed();
                }
                System.out.println("STATUS heapUsed=" + memory.getHeapMemoryUsage().getUsed() + " liveHeap=" + liveHeap
                        + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount() + " buffered="
                        + bridge.bufferedBytes() + " durableRows=" + durableRows.get() + " deadLetters=" + deadLetters.get() + " retries=" + retries.get());
            }
        }, "chaos-status");
        t.setDaemon(true);
        t.start();
    }
}
