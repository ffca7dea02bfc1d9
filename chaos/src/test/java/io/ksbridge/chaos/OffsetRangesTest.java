package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ksbridge.chaos.OffsetRanges.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compression of lost and duplicated offsets into ranges for the chaos verdict. */
class OffsetRangesTest {

    @Test
    void runs_oneWholeBatchLost_oneRangeWithItsFirstLastAndCount() {
        long[] offsets = new long[3000];
        int[] lost = new int[3000];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = i;
            lost[i] = i >= 1237 && i <= 2236 ? 1 : 0;
        }
        List<Range> runs = OffsetRanges.runs(offsets, lost);
        assertEquals(List.of(new Range(1237, 2236, 1000)), runs);
        assertEquals("1237..2236 (1,000)", runs.get(0).toString());
    }

    @Test
    void runs_poisonOffsetInsideALostRun_doesNotSplitItNorCount() {
        // offset 12 is poison (not a good record): it is absent from the good offsets
        long[] offsets = {10, 11, 13, 14, 15};
        int[] lost = {1, 1, 1, 1, 0};
        assertEquals(List.of(new Range(10, 14, 4)), OffsetRanges.runs(offsets, lost));
    }

    @Test
    void runs_goodRecordPresentBetweenLostOnes_twoRanges() {
        long[] offsets = {0, 1, 2, 3, 4, 5, 6};
        int[] lost = {1, 0, 1, 1, 0, 0, 1};
        assertEquals(List.of(new Range(0, 0, 1), new Range(2, 3, 2), new Range(6, 6, 1)),
                OffsetRanges.runs(offsets, lost));
    }

    @Test
    void runs_duplicateWeights_countExtraCopies() {
        long[] offsets = {100, 101, 102, 103};
        int[] extra = {0, 2, 1, 0};
        assertEquals(List.of(new Range(101, 102, 3)), OffsetRanges.runs(offsets, extra));
    }

    @Test
    void runs_nothingMarked_empty() {
        assertEquals(List.of(), OffsetRanges.runs(new long[] {1, 2, 3}, new int[3]));
        assertEquals(List.of(), OffsetRanges.runs(new long[0], new int[0]));
    }

    @Test
    void runs_unsortedOrMismatched_rejectedNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OffsetRanges.runs(new long[] {5, 4}, new int[] {1, 1}));
        assertEquals("offsets must be ascending, found 5 then 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OffsetRanges.runs(new long[] {1}, new int[2]));
    }
}
