package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CI-sized Snowflake → Kafka chaos run: 40 s of random DML on one table while two worker JVMs embedding the same
 * bridge are killed with SIGKILL every 1.5-4 s (the active one when there is one) and restarted; then the topic, read
 * read_committed, is compared change by change with the emulator's history. The long run is {@code -Psource-chaos}.
 */
class SourceChaosIT {

    @Test
    void randomDml_sigkilledWorkers_noChangeLostDoubledOrInvented() throws Exception {
        SourceChaosRunner.Summary s = SourceChaosRunner.run(1, 40, 2, 1500, 4000, 25, Path.of("target", "source-chaos-it"));
        System.out.println(s.line());

        assertTrue(s.kills() >= 5, "kills: " + s.line());
        assertTrue(s.caughtUp(), "the topic caught up with the table: " + s.line());
        assertTrue(s.verdict().events() > 500, "changes were published: " + s.line());
        assertEquals(0, s.verdict().lost(), s.line());
        assertEquals(0, s.verdict().duplicated(), s.line());
        assertEquals(0, s.verdict().invented(), s.line());
        assertEquals(0, s.unexpectedExits(), s.line());
        assertTrue(s.passed(), s.line());
    }
}
