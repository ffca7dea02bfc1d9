package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run with the Streaming backend: 20,000 records at 2,000/s, 3 worker JVMs killed at least 3 times,
 * 5 % of emulator requests faulted, 1 % poison, an encrypted key, and the window in which a backend reorders batches
 * (issue 17): a random channel invalidated every second on average, and every one of those channels' next reopen stalled
 * (answered 503, so the SDK waits its fixed 3 s, or held 1.5-3 s) while later batches are queued behind the refused
 * one. About 1.5 to 3 minutes on 2 shared cores (the stalls slow the unfixed backend); CI-sized, the chaos gate
 * ({@code -Pchaos-gate}) is the long proof.
 *
 * <p>Part of {@code mvn -B verify}; alone:
 * {@code mvn -B -pl chaos -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=StreamingChaosIT}.
 */
class StreamingChaosIT {

    @Test
    void shortStreamingRun_killsFaultsPoisonInvalidationsAndStalledReopens_nothingLostDoubledMisroutedOrLeaked()
            throws Exception {
        ChaosOptions options = ChaosOptions.defaults().withBackend("streaming").withRecords(20_000).withRate(2_000)
                .withMinKills(3).withInvalidateEvery(Duration.ofSeconds(1)).withReopenStallRate(1.0)
                .withWorkDir(Path.of("target", "chaos-streaming-logs"));
        ChaosSummary summary = ChaosRunner.run(options);
        System.out.println(summary.table());
        System.out.printf("StreamingChaosIT: %d invalidations, %d stalled reopens (503: %d, hung: %d), %d kills, %s%n",
                summary.invalidations(), summary.stalledReopens(), summary.reopensRefused(), summary.reopensHung(),
                summary.kills(), summary.passed() ? "PASS" : "FAIL");

        assertTrue(summary.kills() >= 3, "kills: " + summary.kills());
        assertTrue(summary.invalidations() >= 10, "channels were invalidated: " + summary.table());
        assertTrue(summary.stalledReopens() > 0, "reopens were stalled: " + summary.table());
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
