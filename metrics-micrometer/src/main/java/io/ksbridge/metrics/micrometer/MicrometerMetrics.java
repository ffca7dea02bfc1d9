package io.ksbridge.metrics.micrometer;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Binds a bridge's events to Micrometer meters, named by Micrometer's conventions:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code ksbridge.records.durable}</td><td>counter</td><td>table, topic, partition</td><td>rows made durable</td></tr>
 *   <tr><td>{@code ksbridge.bytes.durable}</td><td>counter</td><td>table, topic, partition</td><td>their bytes</td></tr>
 *   <tr><td>{@code ksbridge.batch.latency}</td><td>timer</td><td>table</td><td>flush to durable, per batch</td></tr>
 *   <tr><td>{@code ksbridge.batch.rows}</td><td>summary</td><td>table</td><td>rows per batch</td></tr>
 *   <tr><td>{@code ksbridge.offset.durable}</td><td>gauge</td><td>topic, partition</td><td>next offset after durable data</td></tr>
 *   <tr><td>{@code ksbridge.partition.lag}</td><td>gauge</td><td>table, topic, partition</td><td>records in Kafka not yet
 *       durable: the partition's end offset minus its durable offset ({@link BridgeEvents.PartitionLag})</td></tr>
 *   <tr><td>{@code ksbridge.retries}</td><td>counter</td><td>table</td><td>batches retried</td></tr>
 *   <tr><td>{@code ksbridge.records.dead.lettered}, {@code ksbridge.records.skipped}</td><td>counter</td><td>topic</td><td>bad records routed</td></tr>
 *   <tr><td>{@code ksbridge.records.filtered}</td><td>counter</td><td>topic</td><td>records a transform filtered out</td></tr>
 *   <tr><td>{@code ksbridge.load.failures}</td><td>counter</td><td>table</td><td>Snowpipe loads that failed after acceptance</td></tr>
 *   <tr><td>{@code ksbridge.commits}</td><td>counter</td><td></td><td>offset commits to Kafka</td></tr>
 *   <tr><td>{@code ksbridge.partitions.paused}</td><td>gauge</td><td></td><td>partitions paused by the memory cap</td></tr>
 *   <tr><td>{@code ksbridge.buffered.bytes}</td><td>gauge</td><td></td><td>bytes held (after {@link #bindTo})</td></tr>
 * </table>
 *
 * Every meter also carries the tags given to {@link #create(MeterRegistry, Iterable)}, for example {@code backend}.
 * The per-partition gauges are removed when the partition is revoked, so a partition shows on the instance that
 * owns it. {@code ksbridge.partition.lag} is updated about once a second by an own-loop bridge; a host-loop bridge
 * updates it only if the host passed its consumer to {@code rebalanceListener(consumer)} (the end offset comes from
 * that consumer's fetches), and otherwise the gauge does not exist.
 *
 * <pre>{@code
 * MicrometerMetrics metrics = MicrometerMetrics.create(registry, Tags.of("backend", "snowpipe"));
 * KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()...listener(metrics).build();
 * metrics.bindTo(bridge);
 * }</pre>
 *
 * <p>Thread-safe: events arrive on the bridge's threads, meters are Micrometer's.
 */
public final class MicrometerMetrics implements BridgeListener {
    private final MeterRegistry registry;
    private final Tags common;
    private final Map<TopicPartition, PartitionGauge> durableOffsets = new ConcurrentHashMap<>();
    private final Map<TopicPartition, PartitionGauge> lags = new ConcurrentHashMap<>();
    private final AtomicInteger paused = new AtomicInteger();
    private final Counter commits;

    private MicrometerMetrics(MeterRegistry registry, Tags common) {
        this.registry = registry;
        this.common = common;
        this.commits = Counter.builder("ksbridge.commits").description("offset commits to Kafka").tags(common)
                .register(registry);
        Gauge.builder("ksbridge.partitions.paused", paused, AtomicInteger::get)
                .description("partitions paused because the memory cap was reached").tags(common).register(registry);
    }

    /** Meters in {@code registry}, with no extra tags. */
    public static MicrometerMetrics create(MeterRegistry registry) {
        return create(registry, Tags.empty());
    }

    /** Meters in {@code registry}, each also tagged with {@code tags}. */
    public static MicrometerMetrics create(MeterRegistry registry, Iterable<Tag> tags) {
        return new MicrometerMetrics(Objects.requireNonNull(registry, "registry must not be null"),
                Tags.of(Objects.requireNonNull(tags, "tags must not be null")));
    }

    /** Adds the {@code ksbridge.buffered.bytes} gauge for {@code bridge}. */
    public MicrometerMetrics bindTo(KafkaToSnowflakeBridge bridge) {
        Objects.requireNonNull(bridge, "bridge must not be null");
        Gauge.builder("ksbridge.buffered.bytes", bridge, KafkaToSnowflakeBridge::bufferedBytes).baseUnit("bytes")
                .description("bytes held in buffers and in-flight batches").tags(common).register(registry);
        return this;
    }

    private Tags partitionTags(String table, TopicPartition tp) {
        return common.and("table", table, "topic", tp.topic(), "partition", Integer.toString(tp.partition()));
    }

    @Override
    public void onDurable(BridgeEvents.Durable e) {
        Tags tags = partitionTags(e.table(), e.partition());
        registry.counter("ksbridge.records.durable", tags).increment(e.rows());
        registry.counter("ksbridge.bytes.durable", tags).increment(e.bytes());
        Timer.builder("ksbridge.batch.latency").description("from flush to durable").tags(common.and("table", e.table()))
                .register(registry).record(e.latency());
        DistributionSummary.builder("ksbridge.batch.rows").tags(common.and("table", e.table())).register(registry)
                .record(e.rows());
        durableOffsets.computeIfAbsent(e.partition(), tp -> new PartitionGauge(registry, "ksbridge.offset.durable",
                "next offset after the partition's durable data",
                common.and("topic", tp.topic(), "partition", Integer.toString(tp.partition()))))
                .value.accumulateAndGet(e.lastOffset() + 1, Math::max);
    }

    @Override
    public void onLag(BridgeEvents.PartitionLag e) {
        lags.computeIfAbsent(e.partition(), tp -> new PartitionGauge(registry, "ksbridge.partition.lag",
                "records in Kafka not yet durable in Snowflake (end offset minus durable offset)",
                partitionTags(e.table(), tp))).value.set(e.lag());
    }

    @Override
    public void onRetry(BridgeEvents.Retry e) {
        registry.counter("ksbridge.retries", common.and("table", e.table())).increment();
    }

    @Override
    public void onDeadLetter(BridgeEvents.DeadLetter e) {
        registry.counter("ksbridge.records.dead.lettered", common.and("topic", e.record().topic())).increment();
    }

    @Override
    public void onSkip(BridgeEvents.Skip e) {
        registry.counter("ksbridge.records.skipped", common.and("topic", e.record().topic())).increment();
    }

    @Override
    public void onFilter(BridgeEvents.Filtered e) {
        registry.counter("ksbridge.records.filtered", common.and("topic", e.record().topic())).increment();
    }

    @Override
    public void onLoadFailure(BridgeEvents.LoadFailure e) {
        registry.counter("ksbridge.load.failures", common.and("table", e.table())).increment();
    }

    @Override
    public void onCommit(BridgeEvents.Commit e) {
        commits.increment();
    }

    @Override
    public void onBackpressure(BridgeEvents.Backpressure e) {
        paused.set(e.paused() ? e.partitions().size() : 0);
    }

    @Override
    public void onRevoked(Set<TopicPartition> partitions) {
        // the partition moved away: its durable offset is another instance's to report now
        for (TopicPartition tp : partitions) {
            PartitionGauge durable = durableOffsets.remove(tp);
            if (durable != null) {
                durable.remove();
            }
            PartitionGauge lag = lags.remove(tp);
            if (lag != null) {
                lag.remove();
            }
        }
    }

    /** A gauge over one partition's value, removed from the registry when the partition leaves. */
    private static final class PartitionGauge {
        final AtomicLong value = new AtomicLong(-1);
        private final MeterRegistry registry;
        private final Gauge gauge;

        PartitionGauge(MeterRegistry registry, String name, String description, Tags tags) {
            this.registry = registry;
            this.gauge = Gauge.builder(name, value, AtomicLong::get).description(description).tags(tags)
                    .register(registry);
        }

        void remove() {
            registry.remove(gauge);
        }
    }
}
