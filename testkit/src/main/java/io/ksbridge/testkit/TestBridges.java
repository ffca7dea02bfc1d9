package io.ksbridge.testkit;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.internal.engine.Engine;
import java.lang.reflect.Field;

/** Helpers for testing bridges. */
public final class TestBridges {
    private TestBridges() {
    }

    /**
     * Stops {@code bridge} as a crash would: at once, with no flush and no commit to Kafka. Loads in flight are
     * abandoned. Use it to test that a restarted bridge loses and doubles nothing.
     */
    public static void crash(KafkaToSnowflakeBridge bridge) {
        try {
            Field f = KafkaToSnowflakeBridge.class.getDeclaredField("engine");
            f.setAccessible(true);
            ((Engine) f.get(bridge)).halt();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach the bridge's engine: " + e, e);
        }
    }
}
