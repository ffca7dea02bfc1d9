package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The CI-sized chaos run: 40,000 records over 3 topics x 6 partitions, 3 worker JVMs (two own-loop, one host-loop)
 * killed with SIGKILL at least 5 times, 5 % of emulator requests failing, losing their answer or hanging, 1 % poison,
 * an encrypted private key. Nothing may be lost, doubled, misplaced or misrouted, and no fragment of the key or its
 * passphrase may show up in any worker log, message, toString or dead-letter header. The size is CI's (its budget is
 * 25 minutes for everything); the proof over millions of records and many seeds is the chaos gate
 * ({@code -Pchaos-gate}).
 */
class ChaosRunIT {

    @Test
    void shortRun_killsFaultsAndPoison_nothingLostDoubledMisroutedOrLeaked() throws Exception {
        ChaosOptions options = ChaosOptions.defaults().withRecords(40_000).withWorkDir(Path.of("target", "chaos-logs"));
        ChaosSummary summary = ChaosRunner.run(options);
        System.out.println(summary.table());

        assertTrue(summary.kills() >= 5, "kills: " + summary.kills());
        assertTrue(summary.faultsInjected() > 0, "faults were injected: " + summary.faultsInjected());
        assertTrue(summary.hungRequests() > 0 && summary.failed503() > 0 && summary.droppedResponses() > 0,
                "every kind of fault happened: " + summary.table());
        assertTrue(summary.invalidJson() > 0 && summary.oversized() > 0, "both kinds of poison were produced");
        assertEquals(40_000, summary.records());
        assertTrue(summary.caughtUp(), summary.table());
        assertEquals(0, summary.lost(), "lost");
        assertEquals(0, summary.duplicated(), "duplicated");
        assertEquals(0, summary.misplaced(), "misplaced");
        assertEquals(0, summary.poisonInTables(), "poison in tables");
        assertEquals(summary.invalidJson() + summary.oversized(), summary.poisonRouted(), "poison routed");
        assertEquals(0, summary.goodInDlq(), "good in DLQ");
        assertEquals(0, summary.filesLeft(), "files left on stages");
        assertEquals(0, summary.secretHits(), "secret fragments");
        assertTrue(summary.scannedChars() > 100_000, "the logs were scanned: " + summary.scannedChars() + " chars");
        assertTrue(summary.passed(), summary.table());
    }
}
