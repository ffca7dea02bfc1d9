package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run with the Streaming backend: 30,000 records, 3 worker JVMs killed at least 3 times, 5 % of
 * emulator requests faulted, random channels invalidated, 1 % poison, an encrypted key.
 *
 * <p>Part of {@code mvn -B verify}; alone:
 * {@code mvn -B -pl chaos -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=StreamingChaosIT}.
 */
class StreamingChaosIT {

    @Test
    void shortStreamingRun_killsFaultsPoisonAndInvalidatedChannels_nothingLostDoubledMisroutedOrLeaked() throws Exception {
        ChaosOptions options = ChaosOptions.defaults().withBackend("streaming").withRecords(30_000).withMinKills(3)
                .withWorkDir(Path.of("target", "chaos-streaming-logs"));
        ChaosSummary summary = ChaosRunner.run(options);
        System.out.println(summary.table());

        assertTrue(summary.kills() >= 3, "kills: " + summary.kills());
        assertTrue(summary.invalidations() > 0, "channels were invalidated: " + summary.table());
        assertTrue(summary.faultsInjected() > 0, "faults were injected: " + summary.faultsInjected());
        assertEquals(30_000, summary.records());
        assertTrue(summary.caughtUp(), summary.table());
        assertEquals(0, summary.lost(), "lost");
        assertEquals(0, summary.duplicated(), "duplicated");
        assertEquals(0, summary.misplaced(), "misplaced");
        assertEquals(0, summary.poisonInTables(), "poison in tables");
        assertEquals(summary.invalidJson() + summary.oversized(), summary.poisonRouted(), "poison routed");
        assertEquals(0, summary.goodInDlq(), "good in DLQ");
        assertEquals(0, summary.secretHits(), "secret fragments");
        assertTrue(summary.passed(), summary.table());
    }
}
