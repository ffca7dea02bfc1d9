package io.ksbridge.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compresses the Kafka offsets of a partition's lost (or duplicated) good records into ranges, so a verdict reads
 * {@code chaos_b-5 lost 1237..2236 (1000)} instead of a thousand offsets. Pure; thread-safe.
 *
 * <p>A range is a maximal run of <em>marked</em> records among the partition's good records in offset order: offsets
 * that are not good records (poison, which goes to the dead-letter topic) neither end nor count in a range, and any
 * good record that is not marked ends it.
 */
final class OffsetRanges {

    /**
     * One run of marked records.
     *
     * @param first   the first marked offset
     * @param last    the last marked offset
     * @param records marked records in the run (for duplicates: the extra copies)
     */
    record Range(long first, long last, long records) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d..%d (%,d)", first, last, records);
        }
    }

    private OffsetRanges() {
    }

    /**
     * The runs of marked records.
     *
     * @param offsets the partition's good records' offsets, ascending, without repeats
     * @param weights per offset, how many times it is marked (0: not marked; lost: 1; duplicated: the extra copies)
     * @return the runs, in offset order; empty when nothing is marked
     * @throws IllegalArgumentException when the arrays differ in length or the offsets are not ascending
     */
    static List<Range> runs(long[] offsets, int[] weights) {
        if (offsets.length != weights.length) {
            throw new IllegalArgumentException("offsets and weights must have the same length, were " + offsets.length
                    + " and " + weights.length);
        }
        List<Range> out = new ArrayList<>();
        long first = -1;
        long last = -1;
        long records = 0;
        for (int i = 0; i < offsets.length; i++) {
            if (i > 0 && offsets[i] <= offsets[i - 1]) {
                throw new IllegalArgumentException("offsets must be ascending, found " + offsets[i - 1] + " then " + offsets[i]);
            }
            if (weights[i] > 0) {
                if (records == 0) {
                    first = offsets[i];
                }
                last = offsets[i];
                records += weights[i];
            } else if (records > 0) {
                out.add(new Range(first, last, records));
                records = 0;
            }
        }
        if (records > 0) {
            out.add(new Range(first, last, records));
        }
        return out;
    }
}
