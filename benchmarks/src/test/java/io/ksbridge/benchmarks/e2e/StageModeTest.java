package io.ksbridge.benchmarks.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The e2e run's stage mode: LOCAL_FS unless a connector contender is selected, and never LOCAL_FS with one. */
class StageModeTest {

    @Test
    void noConnectorSelected_defaultsToLocalFs() {
        assertEquals(StageMode.LOCAL, StageMode.choose(null, false));
        assertEquals("LOCAL_FS", StageMode.choose(null, false).label);
    }

    @Test
    void connectorSelected_defaultsToCloudStyle() {
        assertEquals(StageMode.CLOUD, StageMode.choose(null, true));
    }

    @Test
    void explicitChoice_wins_butLocalWithConnectorIsRefused() {
        assertEquals(StageMode.CLOUD, StageMode.choose(StageMode.parse("cloud"), false));
        assertEquals(StageMode.LOCAL, StageMode.choose(StageMode.parse("local"), false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StageMode.choose(StageMode.LOCAL, true));
        assertTrue(e.getMessage().contains("--stages local"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StageMode.parse("s3"));
    }
}
