package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's plan (which runs, in which order, with which settings) and its table; no run is started. */
class ChaosGateTest {

    @Test
    void parse_seedsBackendsSoakAndRunArguments_everySeedPerBackendThenOneSoakEach() {
        ChaosGate.Plan plan = ChaosGate.parse(new String[] {"--seeds", "1,2,3", "--backends", "snowpipe,streaming",
            "--soak", "PT5M", "--gate-dir", "target/g", "--records", "1000000", "--min-kills", "20", "--rate", "5000"});
        List<ChaosOptions> runs = plan.runs();
        assertEquals(8, runs.size());
        assertEquals(List.of("snowpipe/1", "snowpipe/2", "snowpipe/3", "streaming/1", "streaming/2", "streaming/3",
                "snowpipe/soak", "streaming/soak"),
                runs.stream().map(o -> o.backend() + "/" + (o.soak() ? "soak" : Long.toString(o.seed()))).toList());
        ChaosOptions chaos = runs.get(4);
        assertEquals(1_000_000, chaos.records());
        assertEquals(20, chaos.minKills());
        assertEquals(Path.of("target/g", "streaming-seed-2"), chaos.workDir());
        ChaosOptions soak = runs.get(7);
        assertEquals(Duration.ofMinutes(5), soak.duration());
        assertEquals(500, soak.rate());
        assertEquals(150_000, soak.records());
        assertEquals(0, soak.minKills());
        assertEquals(Path.of("target/g", "streaming-soak"), soak.workDir());
    }

    @Test
    void parse_noSoak_onlySeededRuns() {
        ChaosGate.Plan plan = ChaosGate.parse(new String[] {"--seeds", "7", "--backends", "streaming", "--soak", "PT0S"});
        assertEquals(1, plan.runs().size());
        assertEquals(7, plan.runs().get(0).seed());
    }

    @Test
    void parse_wrongValues_rejectedNamingTheArgument() {
        assertEquals("invalid value for --seeds: For input string: \"x\"", assertThrows(IllegalArgumentException.class,
                () -> ChaosGate.parse(new String[] {"--seeds", "1,x"})).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChaosGate.parse(new String[] {"--backends", "snowpipe,kinesis"})).getMessage().contains("kinesis"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChaosGate.parse(new String[] {"--work-dir", "x"})).getMessage().contains("--gate-dir"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ChaosGate.parse(new String[] {"--recrods", "5"})).getMessage().contains("--recrods"));
    }

    @Test
    void table_oneFailedRun_rowSaysFailAndTheReasonFollows() {
        String table = ChaosGate.table(List.of(
                new ChaosGate.Row("snowpipe", "seed 1", 1_000_000, 24, 926, 0, 0, 0, null, Duration.ofSeconds(216)),
                new ChaosGate.Row("streaming", "seed 2", 1_000_000, 22, 257, 60, 447, 0, "lost: 447", Duration.ofSeconds(219))));
        String[] lines = table.split("\n");
        assertEquals("| backend   | run    |   records | kills | faults | invalidations | lost | duplicated | verdict | duration |",
                lines[0]);
        assertEquals("| snowpipe  | seed 1 | 1,000,000 |    24 |    926 |             - |    0 |          0 | PASS    |   3m 36s |",
                lines[2]);
        assertEquals("| streaming | seed 2 | 1,000,000 |    22 |    257 |            60 |  447 |          0 | FAIL    |   3m 39s |",
                lines[3]);
        assertEquals("FAIL streaming seed 2: lost: 447", lines[4]);
    }
}
