package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The with-copies change one setting each and keep the rest; the command line reads over the defaults. */
class ChaosOptionsTest {
    private static final ChaosOptions D = ChaosOptions.defaults();

    @Test
    void withCopies_changeOneSettingEach() {
        assertEquals(D.withRecords(7).records(), 7);
        assertEquals(D.withRecords(7).withMinKills(0), D.withMinKills(0).withRecords(7));
        assertEquals(new ChaosOptions(D.records(), D.workers(), 2, 0.1, D.poisonRate(), 50, 9, false, D.duration(),
                D.encryptedKey(), D.killEveryMin(), D.killEveryMax(), D.hang(), D.catchUpTimeout(), D.maxRecordBytes(),
                D.maxBufferedBytes(), Path.of("w"), "streaming", Duration.ZERO, 0.5), D.withMinKills(2).withFaultRate(0.1)
                .withRate(50).withSeed(9).withWorkDir(Path.of("w")).withBackend("streaming")
                .withInvalidateEvery(Duration.ZERO).withReopenStallRate(0.5));
        ChaosOptions soak = D.withRate(100).withSoak(Duration.ofMinutes(2));
        assertEquals(12_000, soak.records());
        assertEquals(0, soak.minKills());
        assertEquals(true, soak.soak());
        assertEquals(Duration.ofMinutes(2), soak.duration());
        assertEquals("faultRate must be between 0 and 0.9, was 1.0",
                assertThrows(IllegalArgumentException.class, () -> D.withFaultRate(1.0)).getMessage());
    }

    @Test
    void parse_argumentsOverDefaults_soakWithoutKillsUnlessAsked() {
        assertEquals(D.withSeed(3).withBackend("streaming").withWorkDir(Path.of("logs")).withRecords(500),
                ChaosOptions.parse(new String[] {"--seed", "3", "--backend", "STREAMING", "--work-dir", "logs",
                        "--records", "5_00"}));
        ChaosOptions soak = ChaosOptions.parse(new String[] {"--soak", "--rate", "10", "--duration", "pt1m"});
        assertEquals(D.withRate(10).withSoak(Duration.ofMinutes(1)), soak);
        assertEquals(3, ChaosOptions.parse(new String[] {"--soak", "--min-kills", "3"}).minKills());
        assertEquals(false, ChaosOptions.parse(new String[] {"--plain-key"}).encryptedKey());
        assertEquals("unknown argument --recrods",
                assertThrows(IllegalArgumentException.class, () -> ChaosOptions.parse(new String[] {"--recrods"})).getMessage());
    }
}
