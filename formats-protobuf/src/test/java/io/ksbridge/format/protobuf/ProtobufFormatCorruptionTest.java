package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.FormatRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Corrupt messages end in an error or a (different) message, never in a hang or an out-of-memory. */
class ProtobufFormatCorruptionTest {

    @Test
    void randomlyCorruptedMessages_printedOrIoException_quickly() throws Exception {
        byte[] good = ProtoSamples.order().toByteArray();
        ProtobufFormat format = ProtobufFormat.of(ProtoSamples.ORDER_TYPE);
        Random random = new Random(7);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int round = 0; round < 3_000; round++) {
                byte[] bad = good.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                try {
                    String json = FormatRunner.value(format, bad).json();
                    assertTrue(json.startsWith("{") && json.endsWith("}"), json);
                    outcomes[0]++;
                } catch (IOException expected) {
                    outcomes[1]++;
                }
            }
        });
        assertTrue(outcomes[1] > 300, outcomes[0] + " printed, " + outcomes[1] + " refused");
    }
}
