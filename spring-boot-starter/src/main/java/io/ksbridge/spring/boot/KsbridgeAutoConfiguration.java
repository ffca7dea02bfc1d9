package io.ksbridge.spring.boot;

import io.ksbridge.BridgeListener;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.TableNamer;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.metrics.micrometer.MicrometerMetrics;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Builds and starts an own-loop bridge from the {@code ksbridge.*} properties when {@code ksbridge.enabled=true}.
 *
 * <p>Every bean backs off when the application defines its own ({@code @ConditionalOnMissingBean}): a
 * {@link SnowflakeAccount}, an {@link IngestBackend} (then no backend module or account properties are needed), a
 * {@link RecordFormat} (the value format; default JSON), a {@link TableNamer}, the {@link KafkaToSnowflakeBridge}
 * itself or its {@link KsbridgeLifecycle}. Every {@link BridgeListener} bean is attached; a
 * {@link KsbridgeBuilderCustomizer} adjusts anything else. With Actuator present a {@code ksbridge} health indicator
 * is added; with a {@link MeterRegistry} bean, {@link MicrometerMetrics} bound to it.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnProperty(prefix = "ksbridge", name = "enabled", havingValue = "true")
@EnableConfigurationProperties(KsbridgeProperties.class)
public class KsbridgeAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public KsbridgeHealthTracker ksbridgeHealthTracker() {
        return new KsbridgeHealthTracker();
    }

    @Bean
    @ConditionalOnMissingBean
    public KafkaToSnowflakeBridge ksbridge(KsbridgeProperties properties, IngestBackend backend,
                                          ObjectProvider<RecordFormat> format, ObjectProvider<TableNamer> tableNamer,
                                          ObjectProvider<BridgeListener> listeners,
                                          ObjectProvider<KsbridgeBuilderCustomizer> customizers) {
        KafkaToSnowflakeBridge.Builder b = KsbridgeBridges.builder(properties).backend(backend);
        format.ifUnique(b::format);
        tableNamer.ifUnique(b::tableNamer);
        listeners.orderedStream().forEach(b::listener);
        customizers.orderedStream().forEach(c -> c.customize(b));
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    public KsbridgeLifecycle ksbridgeLifecycle(KafkaToSnowflakeBridge bridge, KsbridgeProperties properties) {
        return new KsbridgeLifecycle(bridge, properties.getShutdownTimeout(), KsbridgeBridges.summary(bridge, properties));
    }

    /** The Snowpipe backend, when its module is present and ksbridge.backend is snowpipe (the default). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.ksbridge.ingest.snowpipe.SnowpipeBackend")
    @ConditionalOnProperty(prefix = "ksbridge", name = "backend", havingValue = "snowpipe", matchIfMissing = true)
    @ConditionalOnMissingBean(IngestBackend.class)
    static class SnowpipeConfiguration {
        @Bean
        @ConditionalOnMissingBean
        SnowflakeAccount ksbridgeSnowflakeAccount(KsbridgeProperties properties) {
            return KsbridgeBridges.account(properties.getSnowflake());
        }

        @Bean
        IngestBackend ksbridgeBackend(KsbridgeProperties properties, SnowflakeAccount account) {
            KsbridgeProperties.Snowflake sf = properties.getSnowflake();
            KsbridgeProperties.Snowpipe p = properties.getSnowpipe();
            return SnowpipeBackend.builder().account(account)
                    .database(KsbridgeBridges.required(sf.getDatabase(), "ksbridge.snowflake.database"))
                    .schema(KsbridgeBridges.required(sf.getSchema(), "ksbridge.snowflake.schema"))
                    .connectorName(p.getConnectorName())
                    .compression(io.ksbridge.ingest.snowpipe.Compression.valueOf(p.getCompression().name()))
                    .writerThreads(p.getWriterThreads())
                    .statusPollInterval(p.getStatusPollInterval())
                    .historyFallback(p.getHistoryFallback())
                    .loadTimeout(p.getLoadTimeout())
                    .historyWindow(p.getHistoryWindow())
                    .closeTimeout(p.getCloseTimeout())
                    .build();
        }
    }

    /** The Streaming Classic backend, when its module is present and ksbridge.backend is streaming. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.ksbridge.ingest.streaming.StreamingBackend")
    @ConditionalOnProperty(prefix = "ksbridge", name = "backend", havingValue = "streaming")
    @ConditionalOnMissingBean(IngestBackend.class)
    static class StreamingConfiguration {
        @Bean
        @ConditionalOnMissingBean
        SnowflakeAccount ksbridgeSnowflakeAccount(KsbridgeProperties properties) {
            return KsbridgeBridges.account(properties.getSnowflake());
        }

        @Bean
        IngestBackend ksbridgeBackend(KsbridgeProperties properties, SnowflakeAccount account) {
            KsbridgeProperties.Snowflake sf = properties.getSnowflake();
            KsbridgeProperties.Streaming p = properties.getStreaming();
            StreamingBackend.Builder b = StreamingBackend.builder().account(account)
                    .database(KsbridgeBridges.required(sf.getDatabase(), "ksbridge.snowflake.database"))
                    .schema(KsbridgeBridges.required(sf.getSchema(), "ksbridge.snowflake.schema"))
                    .maxClientLag(p.getMaxClientLag())
                    .statusPollInterval(p.getStatusPollInterval())
                    .closeTimeout(p.getCloseTimeout())
                    .writerThreads(p.getWriterThreads())
                    .schematization(p.isSchematization());
            if (p.getClientName() != null) {
                b.clientName(p.getClientName());
            }
            return b.build();
        }
    }

    /** The high-performance Streaming backend, when its module is present and ksbridge.backend is streaming-hp. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend")
    @ConditionalOnProperty(prefix = "ksbridge", name = "backend", havingValue = "streaming-hp")
    @ConditionalOnMissingBean(IngestBackend.class)
    static class StreamingHpConfiguration {
        @Bean
        @ConditionalOnMissingBean
        SnowflakeAccount ksbridgeSnowflakeAccount(KsbridgeProperties properties) {
            return KsbridgeBridges.account(properties.getSnowflake());
        }

        @Bean
        IngestBackend ksbridgeBackend(KsbridgeProperties properties, SnowflakeAccount account) {
            KsbridgeProperties.Snowflake sf = properties.getSnowflake();
            KsbridgeProperties.StreamingHp p = properties.getStreamingHp();
            io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend.Builder b =
                    io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend.builder().account(account)
                            .database(KsbridgeBridges.required(sf.getDatabase(), "ksbridge.snowflake.database"))
                            .schema(KsbridgeBridges.required(sf.getSchema(), "ksbridge.snowflake.schema"))
                            .callTimeout(p.getCallTimeout())
                            .commitPollInterval(p.getCommitPollInterval())
                            .closeTimeout(p.getCloseTimeout())
                            .writerThreads(p.getWriterThreads())
                            .maxChannelBytesPerSecond(p.getMaxChannelBytesPerSecond())
                            .schematization(p.isSchematization());
            if (p.getConnectorName() != null) {
                b.connectorName(p.getConnectorName());
            }
            String takeOver = p.getTakeOverClassicChannels();
            if (takeOver != null) {
                String t = takeOver.trim().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                if (!t.equals("best-effort") && !t.equals("strict")) {
                    throw new io.ksbridge.BridgeConfigException("ksbridge.streaming-hp.take-over-classic-channels",
                            takeOver, "expected best-effort or strict (or leave it unset: off)");
                }
                b.takeOverClassicChannels(t.equals("strict")
                        ? io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend.ClassicChannels.STRICT
                        : io.ksbridge.ingest.streaminghp.HighPerformanceStreamingBackend.ClassicChannels.BEST_EFFORT);
            }
            return b.build();
        }
    }

    /**
     * A host-loop bridge (ksbridge.enabled=true and no topics) with spring-kafka present: the
     * {@link io.ksbridge.spring.kafka.KsbridgeListenerAdapter} and a listener container factory set up for it
     * ({@code ksbridgeListenerContainerFactory}, consumer properties from {@code ksbridge.consumer.*}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory")
    @org.springframework.context.annotation.Conditional(HostLoopCondition.class)
    static class SpringKafkaConfiguration {
        @Bean
        @ConditionalOnMissingBean
        io.ksbridge.spring.kafka.KsbridgeListenerAdapter ksbridgeListenerAdapter(KafkaToSnowflakeBridge bridge) {
            return io.ksbridge.spring.kafka.KsbridgeListenerAdapter.of(bridge);
        }

        @Bean
        @ConditionalOnMissingBean(name = "ksbridgeListenerContainerFactory")
        org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory<byte[], byte[]> ksbridgeListenerContainerFactory(
                io.ksbridge.spring.kafka.KsbridgeListenerAdapter adapter, KsbridgeProperties properties) {
            java.util.Map<String, Object> consumer = new java.util.HashMap<>(properties.getConsumer());
            consumer.put("enable.auto.commit", "false");
            consumer.putIfAbsent("auto.offset.reset", "earliest");
            var factory = new org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory<byte[], byte[]>();
            factory.setConsumerFactory(new org.springframework.kafka.core.DefaultKafkaConsumerFactory<>(consumer,
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                    new org.apache.kafka.common.serialization.ByteArrayDeserializer()));
            adapter.configure(factory);
            return factory;
        }
    }

    /** Matches when neither ksbridge.topics nor ksbridge.topic-pattern is set. */
    static final class HostLoopCondition implements org.springframework.context.annotation.Condition {
        @Override
        public boolean matches(org.springframework.context.annotation.ConditionContext context,
                               org.springframework.core.type.AnnotatedTypeMetadata metadata) {
            var binder = org.springframework.boot.context.properties.bind.Binder.get(context.getEnvironment());
            boolean topics = binder.bind("ksbridge.topics",
                    org.springframework.boot.context.properties.bind.Bindable.listOf(String.class))
                    .map(l -> !l.isEmpty()).orElse(false);
            boolean pattern = binder.bind("ksbridge.topic-pattern", String.class).map(p -> !p.isBlank()).orElse(false);
            return !topics && !pattern;
        }
    }

    /** The health indicator, with Actuator's health module present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "ksbridgeHealthIndicator")
        KsbridgeHealthIndicator ksbridgeHealthIndicator(KsbridgeLifecycle lifecycle, KsbridgeHealthTracker tracker,
                                                        KsbridgeProperties properties) {
            return new KsbridgeHealthIndicator(lifecycle, tracker, properties.getHealth().getMaxLag());
        }
    }

    /** {@link MicrometerMetrics} in the application's registry, with Micrometer and ksbridge-metrics-micrometer present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
            "io.ksbridge.metrics.micrometer.MicrometerMetrics"})
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        MicrometerMetrics ksbridgeMetrics(MeterRegistry registry, KsbridgeProperties properties) {
            return MicrometerMetrics.create(registry, Tags.of("bridge", properties.getName()));
        }

        @Bean
        @ConditionalOnBean(MicrometerMetrics.class)
        SmartInitializingSingleton ksbridgeMetricsBinder(ObjectProvider<MicrometerMetrics> metrics,
                                                         ObjectProvider<KafkaToSnowflakeBridge> bridge) {
            return () -> metrics.ifAvailable(m -> bridge.ifUnique(m::bindTo));
        }
    }
}
