package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run with the high-performance Streaming backend (the real SDK, native core, in every worker JVM):
 * 20,000 records at 2,000/s, 3 worker JVMs killed at least 3 times, the default share of emulator requests faulted
 * (each costs the SDK a second or more of backoff), 1 % poison, an encrypted key.
 *
 * <p>Part of {@code mvn -B verify}; alone:
 * {@code mvn -B -pl chaos -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=HpStreamingChaosIT}.
 */
class HpStreamingChaosIT {

    @Test
    void shortHighPerformanceRun_killsFaultsAndPoison_nothingLostDoubledMisroutedOrLeaked() throws Exception {
        ChaosOptions options = ChaosOptions.defaults().withBackend("streaming-hp").withRecords(20_000).withRate(2_000)
                .withMinKills(3).withWorkDir(Path.of("target", "chaos-streaming-hp-logs"));
        ChaosSummary summary = ChaosRunner.run(options);
        System.out.println(summary.table());
        System.out.printf("HpStreamingChaosIT: %d kills, %s%n", summary.kills(), summary.passed() ? "PASS" : "FAIL");

        assertTrue(summary.kills() >= 3, "kills: " + summary.kills());
        assertTrue(summary.faultsInjected() > 0, "faults were injected: " + summary.faultsInjected());
        assertEquals(20_000, summary.records());
        assertTrue(summary.caughtUp(), summary.table());
        assertEquals(0, summary.lost(), "lost: " + summary.details());
        assertEquals(0, summary.duplicated(), "duplicated: " + summary.details());
        assertEquals(0, summary.misplaced(), "misplaced");
        assertEquals(0, summary.poisonInTables(), "poison in tables");
        assertEquals(summary.invalidJson() + summary.oversized(), summary.poisonRouted(), "poison routed");
        assertEquals(0, summary.goodInDlq(), "good in DLQ");
        assertEquals(0, summary.secretHits(), "secret fragments");
        assertTrue(summary.passed(), summary.table());
    }
}
