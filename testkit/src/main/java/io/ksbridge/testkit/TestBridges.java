package io.ksbridge.testkit;

import io.ksbridge.KafkaToSnowflakeBridge;

/** Helpers for testing bridges. */
public final class TestBridges {
    private TestBridges() {
    }

    /**
     * Stops {@code bridge} as a crash would: at once, with no flush and no commit to Kafka
     * ({@link KafkaToSnowflakeBridge#abort()}). The backend is {@linkplain io.ksbridge.ingest.IngestBackend#halt()
     * halted}, not released or closed: the Streaming backend's SDK drops the rows it buffers instead of flushing
     * them, the Snowpipe backend cuts off the file it is staging or submitting and awaits no load. Use it to test that
     * a restarted bridge loses and doubles nothing.
     *
     * @param bridge the bridge to stop, never null
     */
    public static void crash(KafkaToSnowflakeBridge bridge) {
        bridge.abort();
    }
}
