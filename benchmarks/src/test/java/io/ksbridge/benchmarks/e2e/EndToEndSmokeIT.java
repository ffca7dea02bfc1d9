package io.ksbridge.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the throughput runner from rotting: a tiny run of every contender but the connector's (peers' ITs run the
 * connector; its worker's start would double this test's time). Not a performance test.
 */
class EndToEndSmokeIT {

    @Test
    void runner_tinyRun_everyContenderFinishesWithARate() throws Exception {
        Map<String, Double> rates = EndToEnd.run(new String[] {"--records", "3000", "--runs", "1", "--partitions", "2",
            "--no-connector"});
        assertEquals(List.of("bare consume loop (baseline)", "tree + JSON line + gzip(6) (usual pipeline)",
                "ksbridge engine (discarding backend)", "ksbridge engine + mask 2 fields (discarding backend)",
                "ksbridge + Snowpipe (gzip) to loaded",
                "ksbridge + Snowpipe (zstd) to loaded", "ksbridge + Streaming to committed",
                // failsafe's JVM has no AWS_ENDPOINT_URL at the emulator: the SDK's REST mode
                "ksbridge + Streaming HP (REST mode) to committed"), List.copyOf(rates.keySet()));
        rates.forEach((name, rate) -> assertTrue(rate > 0 && Double.isFinite(rate), name + ": " + rate));
    }
}
