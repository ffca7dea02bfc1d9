package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ExactlyOnceTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private static List<ExactlyOnce.Landed> offsets(TopicPartition tp, long from, long to) {
        List<ExactlyOnce.Landed> out = new ArrayList<>();
        for (long o = from; o < to; o++) {
            out.add(new ExactlyOnce.Landed(tp, o));
        }
        return out;
    }

    @Test
    void check_everyOffsetOnce_passes() {
        List<ExactlyOnce.Landed> landed = new ArrayList<>(offsets(P1, 0, 50));
        landed.addAll(offsets(P0, 0, 100));
        ExactlyOnce.check("T", landed, Map.of(P0, 100L, P1, 50L), (tp, o) -> true);
    }

    @Test
    void check_lostDuplicatedAndUnexpected_namedAsRangesPerPartition() {
        List<ExactlyOnce.Landed> landed = new ArrayList<>(offsets(P0, 0, 100));
        landed.removeIf(l -> l.offset() >= 10 && l.offset() < 20 || l.offset() == 42);
        landed.addAll(offsets(P0, 50, 53));
        landed.addAll(offsets(P1, 0, 10));
        landed.addAll(offsets(P1, 12, 13));
        landed.addAll(offsets(new TopicPartition("other", 3), 7, 9));
        AssertionError e = assertThrows(AssertionError.class,
                () -> ExactlyOnce.check("DB.S.T", landed, Map.of(P0, 100L, P1, 10L), (tp, o) -> true));
        assertEquals("not exactly once in DB.S.T (105 rows, 110 expected): orders-0 lost 10-19, 42, duplicated 50-52 (x2);"
                + " orders-1 unexpected (skipped, or at or past the end offset 10) 12;"
                + " other-3 unexpected (a partition not expected here) 7-8", e.getMessage());
    }

    @Test
    void check_skippedRecordThatLanded_unexpected_andOneNotLanded_fine() {
        List<ExactlyOnce.Landed> landed = new ArrayList<>(offsets(P0, 0, 10));
        landed.removeIf(l -> l.offset() == 7);
        ExactlyOnce.check("T", landed, Map.of(P0, 10L), (tp, o) -> o != 7);
        AssertionError e = assertThrows(AssertionError.class,
                () -> ExactlyOnce.check("T", offsets(P0, 0, 10), Map.of(P0, 10L), (tp, o) -> o != 7));
        assertEquals("not exactly once in T (10 rows, 9 expected): orders-0 unexpected (skipped, or at or past the end"
                + " offset 10) 7", e.getMessage());
    }
}
