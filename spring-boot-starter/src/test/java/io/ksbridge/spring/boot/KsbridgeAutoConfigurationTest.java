package io.ksbridge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.ingest.IngestBackend;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.metrics.micrometer.MicrometerMetrics;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Which beans the auto-configuration makes, and that the application's own beans win. */
@KsbridgeTest
class KsbridgeAutoConfigurationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KsbridgeAutoConfiguration.class,
                    KsbridgeSanitizingAutoConfiguration.class));

    private static final String[] OWN_LOOP = {
        "ksbridge.enabled=true", "ksbridge.topics=orders",
        "ksbridge.consumer.bootstrap.servers=127.0.0.1:9", "ksbridge.consumer.group.id=g"};

    @Test
    void enabledUnset_noBridge_butSecretsStillMasked() {
        runner.run(ctx -> {
            assertTrue(ctx.getBeansOfType(KafkaToSnowflakeBridge.class).isEmpty());
            assertTrue(ctx.getBeansOfType(KsbridgeLifecycle.class).isEmpty());
            assertNotNull(ctx.getBean("ksbridgeSanitizingFunction", SanitizingFunction.class));
        });
    }

    @Test
    void userBackendAndFormat_win_noAccountNeeded() {
        RecordingBackend backend = new RecordingBackend();
        RecordFormat format = RecordFormat.string();
        runner.withPropertyValues(OWN_LOOP)
                .withBean(IngestBackend.class, () -> backend)
                .withBean(RecordFormat.class, () -> format)
                .run(ctx -> {
                    KafkaToSnowflakeBridge bridge = ctx.getBean(KafkaToSnowflakeBridge.class);
                    assertSame(backend, bridge.settings().backend());
                    assertSame(format, bridge.settings().format());
                    assertTrue(ctx.getBeansOfType(io.ksbridge.snowflake.SnowflakeAccount.class).isEmpty());
                });
    }

    @Test
    void snowpipeProperties_buildSnowpipeBackendAndBridgeSettings(SnowflakeEmulator snowflake) {
        runner.withPropertyValues(OWN_LOOP)
                .withPropertyValues("ksbridge.snowflake.url=" + snowflake.url(), "ksbridge.snowflake.allow-insecure-http=true", "ksbridge.snowflake.user=KSBRIDGE",
                        "ksbridge.snowflake.private-key=" + snowflake.privateKeyPem().reveal(),
                        "ksbridge.snowflake.database=DB", "ksbridge.snowflake.schema=PUBLIC",
                        "ksbridge.max-buffered-bytes=64MB", "ksbridge.flush.records=500", "ksbridge.flush.bytes=1MB",
                        "ksbridge.flush.age=5s", "ksbridge.errors.tolerance=dead-letter",
                        "ksbridge.errors.dead-letter-topic=orders-dlq", "ksbridge.shutdown-timeout=3s")
                .run(ctx -> {
                    KafkaToSnowflakeBridge bridge = ctx.getBean(KafkaToSnowflakeBridge.class);
                    assertTrue(bridge.settings().backend() instanceof SnowpipeBackend, bridge.settings().backend().name());
                    assertEquals(64L << 20, bridge.settings().maxBufferedBytes());
                    assertEquals("records(500).or(bytes(1048576)).or(age(PT5S))", bridge.settings().flushPolicy().toString());
                    assertEquals("orders-dlq", bridge.settings().errorPolicy().deadLetterTopic().orElseThrow());
                    assertEquals(java.util.List.of("orders"), bridge.settings().topics());
                });
    }

    @Test
    void streamingHpProperties_buildTheHighPerformanceBackend_badTakeOverNamed(SnowflakeEmulator snowflake) {
        String[] account = {"ksbridge.snowflake.url=" + snowflake.url(), "ksbridge.snowflake.allow-insecure-http=true",
                "ksbridge.snowflake.user=KSBRIDGE", "ksbridge.snowflake.private-key=" + snowflake.privateKeyPem().reveal(),
                "ksbridge.snowflake.database=DB", "ksbridge.snowflake.schema=PUBLIC", "ksbridge.backend=streaming-hp"};
        runner.withPropertyValues(OWN_LOOP).withPropertyValues(account)
                .withPropertyValues("ksbridge.streaming-hp.connector-name=orders_v4",
                        "ksbridge.streaming-hp.take-over-classic-channels=strict",
                        "ksbridge.streaming-hp.max-channel-bytes-per-second=400000",
                        "ksbridge.streaming-hp.schematization=true")
                .run(ctx -> {
                    KafkaToSnowflakeBridge bridge = ctx.getBean(KafkaToSnowflakeBridge.class);
                    assertTrue(bridge.settings().backend() instanceof io.ksbridge.ingest.streaminghp
                            .HighPerformanceStreamingBackend, bridge.settings().backend().name());
                    assertEquals("streaming-hp", bridge.settings().backend().name());
                    assertTrue(bridge.settings().backend().toString().contains("connectorName=orders_v4"),
                            bridge.settings().backend().toString());
                    assertTrue(bridge.settings().backend().toString().contains("schematization=true"),
                            bridge.settings().backend().toString());
                });
        runner.withPropertyValues(OWN_LOOP).withPropertyValues(account)
                .withPropertyValues("ksbridge.streaming-hp.take-over-classic-channels=sometimes")
                .run(ctx -> {
                    Throwable root = ctx.getStartupFailure();
                    assertNotNull(root);
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    assertTrue(root.getMessage().contains("ksbridge.streaming-hp.take-over-classic-channels"),
                            root.getMessage());
                });
    }

    @Test
    void missingDatabase_startupFails_namingTheProperty() {
        runner.withPropertyValues(OWN_LOOP)
                .withPropertyValues("ksbridge.snowflake.url=http://127.0.0.1:9", "ksbridge.snowflake.allow-insecure-http=true", "ksbridge.snowflake.user=U",
                        "ksbridge.snowflake.private-key=" + SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate()),
                        "ksbridge.snowflake.schema=PUBLIC")
                .run(ctx -> {
                    Throwable failure = ctx.getStartupFailure();
                    assertNotNull(failure);
                    Throwable root = failure;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    assertTrue(root.getMessage().contains("ksbridge.snowflake.database"), root.getMessage());
                });
    }

    @Test
    void meterRegistry_metricsBoundToIt() {
        runner.withPropertyValues(OWN_LOOP)
                .withBean(IngestBackend.class, RecordingBackend::new)
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(ctx -> {
                    assertNotNull(ctx.getBean(MicrometerMetrics.class));
                    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
                    assertNotNull(registry.find("ksbridge.buffered.bytes").gauge(), "gauge bound to the bridge");
                    assertNotNull(registry.find("ksbridge.partitions.paused").tag("bridge", "ksbridge").gauge());
                });
    }

    @Test
    void noMeterRegistry_noMetrics() {
        runner.withPropertyValues(OWN_LOOP)
                .withBean(IngestBackend.class, RecordingBackend::new)
                .run(ctx -> assertTrue(ctx.getBeansOfType(MicrometerMetrics.class).isEmpty()));
    }

    @Test
    void lifecycle_closesBridgeWithShutdownTimeout_onContextClose() {
        runner.withPropertyValues(OWN_LOOP)
                .withPropertyValues("ksbridge.shutdown-timeout=2s")
                .withBean(IngestBackend.class, RecordingBackend::new)
                .run(ctx -> {
                    KafkaToSnowflakeBridge bridge = ctx.getBean(KafkaToSnowflakeBridge.class);
                    KsbridgeLifecycle lifecycle = ctx.getBean(KsbridgeLifecycle.class);
                    assertEquals(KsbridgeLifecycle.State.RUNNING, lifecycle.state());
                    assertTrue(bridge.isRunning());
                    ctx.close();
                    assertEquals(KsbridgeLifecycle.State.STOPPED, lifecycle.state());
                    assertTrue(bridge.awaitTermination(Duration.ofSeconds(5)));
                    assertTrue(!bridge.isRunning());
                });
    }
}
