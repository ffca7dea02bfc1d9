package io.ksbridge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.BridgeSettings;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.ingest.streaming.StreamingBackend;
import io.ksbridge.testkit.BackendDefaults;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Properties left unset mean what the builders' defaults mean: the bridge's settings and each backend's settings
 * (as {@code BackendSettings} states them) are the same whether built by the starter or by hand. Fails when a default
 * drifts on either side.
 */
@KsbridgeTest
class KsbridgeDefaultsTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(KsbridgeAutoConfiguration.class));

    @Test
    void unsetProperties_bridgeSettingsEqualTheBuildersDefaults() {
        RecordingBackend a = new RecordingBackend();
        RecordingBackend b = RecordingBackend.sharing(a);
        BridgeSettings starter = KsbridgeBridges.builder(new KsbridgeProperties()).backend(a).build().settings();
        BridgeSettings plain = KafkaToSnowflakeBridge.builder().backend(b).build().settings();
        assertEquals(plain.maxBufferedBytes(), starter.maxBufferedBytes(), "max-buffered-bytes");
        assertEquals(plain.maxRecordBytes(), starter.maxRecordBytes(), "max-record-bytes");
        assertEquals(plain.maxInFlightBatches(), starter.maxInFlightBatches(), "max-in-flight-batches");
        assertEquals(plain.pollTimeout(), starter.pollTimeout(), "poll-timeout");
        assertEquals(plain.commitInterval(), starter.commitInterval(), "commit-interval");
        assertEquals(plain.closeTimeout(), starter.closeTimeout(), "close-timeout");
        assertEquals(plain.batchTimeout(), starter.batchTimeout(), "batch-timeout");
        assertEquals(plain.flushPolicy().toString(), starter.flushPolicy().toString(), "flush.*");
        assertEquals(plain.errorPolicy().toString(), starter.errorPolicy().toString(), "errors.*");
        assertEquals(plain.nullValues(), starter.nullValues(), "null-values");
        assertEquals(plain.metadata(), starter.metadata(), "metadata.*");
        assertEquals(plain.name(), starter.name(), "name");
    }

    @Test
    void unsetBackendProperties_snowpipeBackendHasBackendSettingsDefaults(SnowflakeEmulator snowflake) {
        runner.withPropertyValues(account(snowflake, "snowpipe")).run(ctx -> {
            SnowpipeBackend backend = (SnowpipeBackend) ctx.getBean(io.ksbridge.ingest.IngestBackend.class);
            BackendDefaults.assertDefaults(BridgeConfig.IngestionMethod.SNOWPIPE, settings(backend),
                    Set.of("account", "database", "schema", "uploader"));
        });
    }

    @Test
    void unsetBackendProperties_streamingBackendHasBackendSettingsDefaults(SnowflakeEmulator snowflake) {
        runner.withPropertyValues(account(snowflake, "streaming")).run(ctx -> {
            StreamingBackend backend = (StreamingBackend) ctx.getBean(io.ksbridge.ingest.IngestBackend.class);
            BackendDefaults.assertDefaults(BridgeConfig.IngestionMethod.SNOWPIPE_STREAMING, settings(backend),
                    Set.of("account", "database", "schema", "clientName", "onError"));
        });
    }

    /** The old property names still set the settings they were renamed to. */
    @Test
    void deprecatedBackendPropertyNames_setTheRenamedSettings(SnowflakeEmulator snowflake) {
        runner.withPropertyValues(account(snowflake, "snowpipe"))
                .withPropertyValues("ksbridge.snowpipe.upload-parallelism=7", "ksbridge.snowpipe.close-wait=9s",
                        "ksbridge.streaming.commit-poll-interval=70ms")
                .run(ctx -> {
                    KsbridgeProperties p = ctx.getBean(KsbridgeProperties.class);
                    assertEquals(7, p.getSnowpipe().getWriterThreads());
                    assertEquals(Duration.ofSeconds(9), p.getSnowpipe().getCloseTimeout());
                    assertEquals(Duration.ofMillis(70), p.getStreaming().getStatusPollInterval());
                    SnowpipeBackend backend = (SnowpipeBackend) ctx.getBean(io.ksbridge.ingest.IngestBackend.class);
                    assertEquals(7, component(settings(backend), "writerThreads"));
                    assertEquals(Duration.ofSeconds(9), component(settings(backend), "closeTimeout"));
                });
    }

    /** The backend's settings record (package-private in the backend modules; this test runs on the class path). */
    private static Record settings(Object backend) throws ReflectiveOperationException {
        java.lang.reflect.Method m = backend.getClass().getDeclaredMethod("settings");
        m.setAccessible(true);
        return (Record) m.invoke(backend);
    }

    private static Object component(Record r, String name) throws ReflectiveOperationException {
        for (java.lang.reflect.RecordComponent c : r.getClass().getRecordComponents()) {
            if (c.getName().equals(name)) {
                java.lang.reflect.Method accessor = c.getAccessor();
                accessor.setAccessible(true);
                return accessor.invoke(r);
            }
        }
        throw new AssertionError("no component " + name + " in " + r.getClass());
    }

    private static String[] account(SnowflakeEmulator snowflake, String backend) {
        return new String[] {"ksbridge.enabled=true", "ksbridge.topics=orders", "ksbridge.backend=" + backend,
            "ksbridge.consumer.bootstrap.servers=127.0.0.1:9", "ksbridge.consumer.group.id=g",
            "ksbridge.snowflake.url=" + snowflake.url(), "ksbridge.snowflake.allow-insecure-http=true",
            "ksbridge.snowflake.user=KSBRIDGE", "ksbridge.snowflake.private-key=" + snowflake.privateKeyPem().reveal(),
            "ksbridge.snowflake.database=DB", "ksbridge.snowflake.schema=PUBLIC"};
    }
}
