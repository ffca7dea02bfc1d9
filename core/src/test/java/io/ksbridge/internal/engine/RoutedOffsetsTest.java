package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutedOffsetsTest {

    @Test
    void commitIsTheLowestPointDurableInEveryTable() {
        RoutedOffsets o = new RoutedOffsets(Map.of(), 0);
        String[] tables = {"A", "B", "C"};
        for (long off = 0; off < 9; off++) {
            assertTrue(o.read(tables[(int) (off % 3)], off));
        }
        assertEquals(0, o.committable());
        for (long off = 1; off < 9; off += 3) {
            o.durable(off); // table B durable: 1, 4, 7
        }
        assertEquals(0, o.committable(), "A's record at 0 is not durable yet");
        o.durable(0);
        assertEquals(2, o.committable());
        o.durable(2);
        o.durable(5);
        o.durable(8);
        assertEquals(3, o.committable());
        o.durable(3);
        o.durable(6);
        assertEquals(9, o.committable());
    }

    @Test
    void restartResumesAtTheLowestTableStartAndDropsPerTable() {
        RoutedOffsets o = new RoutedOffsets(Map.of("A", 7L, "B", 4L, "C", 9L), 4);
        assertEquals(4, o.resumeAt());
        assertTrue(o.read("B", 4));
        assertFalse(o.read("A", 5), "A holds everything below 7");
        assertFalse(o.read("C", 6));
        assertTrue(o.read("A", 7));
        assertTrue(o.read("D", 8), "a table first seen starts at the resume point");
        assertEquals(4, o.committable());
        o.durable(4);
        assertEquals(7, o.committable());
        o.durable(7);
        o.durable(8);
        o.handled(9);
        assertEquals(10, o.committable());
    }
}
