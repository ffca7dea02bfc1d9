package io.ksbridge.testkit;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.internal.engine.Engine;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;

/** Helpers for testing bridges. */
public final class TestBridges {
    private TestBridges() {
    }

    /**
     * Stops {@code bridge} as a crash would: at once, with no flush and no commit to Kafka. The backend is
     * {@linkplain io.ksbridge.ingest.IngestBackend#halt() halted}, not released or closed: the Streaming backend's
     * SDK drops the rows it buffers instead of flushing them, the Snowpipe backend cuts off the file it is staging or
     * submitting and awaits no load. Use it to test that a restarted bridge loses and doubles nothing.
     *
     * <p>On the class path this always works. On the module path it needs the test kit there too (as the
     * automatic module {@code io.ksbridge.testkit}, to which {@code io.ksbridge} opens what this uses); with
     * ksbridge-core on the module path and the test kit on the class path, run the JVM with
     * {@code --add-opens io.ksbridge/io.ksbridge=ALL-UNNAMED --add-exports io.ksbridge/io.ksbridge.internal.engine=ALL-UNNAMED}.
     *
     * @param bridge the bridge to stop, never null
     * @throws IllegalStateException if the module system does not let the test kit reach the bridge's engine
     */
    public static void crash(KafkaToSnowflakeBridge bridge) {
        try {
            Field f = KafkaToSnowflakeBridge.class.getDeclaredField("engine");
            f.setAccessible(true);
            ((Engine) f.get(bridge)).halt();
        } catch (ReflectiveOperationException | InaccessibleObjectException | IllegalAccessError e) { // module path
            throw new IllegalStateException("cannot reach the bridge's engine: " + e + ". With ksbridge-core on the module"
                    + " path, put ksbridge-testkit there too, or run with --add-opens io.ksbridge/io.ksbridge=ALL-UNNAMED"
                    + " --add-exports io.ksbridge/io.ksbridge.internal.engine=ALL-UNNAMED", e);
        }
    }
}
