package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestRow;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The offset arithmetic of a routed partition: committable = lowest pending over its lanes; metadata round trip. */
class RoutedOffsetsTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private static PartitionState lane(RoutedOffsets o, String table, long start) {
        PartitionState lane = new PartitionState(TP, table);
        o.add(lane, start);
        return lane;
    }

    private static void take(RoutedOffsets o, PartitionState lane, long offset) {
        lane.addRow(new IngestRow(offset, new byte[] {'{', '}'}, null, -1),
                new org.apache.kafka.clients.consumer.ConsumerRecord<>(TP.topic(), 0, offset, null, null), 2, 0);
        o.handled(offset);
    }

    private static InFlight flush(PartitionState lane) {
        InFlight f = new InFlight(lane, new IngestBatch(lane.table, TP, lane.rangeStart, lane.rangeEnd, lane.rows, 1),
                lane.sources, lane.bytes, 0);
        lane.batches.addLast(f);
        lane.resetBuffer();
        return f;
    }

    @Test
    void committableIsTheLowestRecordPendingInAnyLane_orTheNextReadWhenNoneIs() {
        RoutedOffsets o = new RoutedOffsets(-1);
        assertEquals(-1, o.committable(), "nothing known");
        PartitionState a = lane(o, "A", -1);
        PartitionState b = lane(o, "B", -1);
        take(o, a, 0);
        take(o, b, 1);
        take(o, a, 2);
        o.handled(3); // filtered
        assertEquals(0, o.committable());
        InFlight fa = flush(a);
        assertEquals(0, fa.firstRecord);
        assertEquals(0, o.committable(), "in flight counts as pending");
        a.batches.pollFirst(); // A durable
        assertEquals(1, o.committable(), "B's 1 still buffered");
        InFlight fb = flush(b);
        take(o, b, 5);
        assertEquals(1, o.committable());
        b.batches.remove(fb);
        assertEquals(5, o.committable(), "B's next buffer starts at 5 although its range starts at 2");
        flush(b);
        b.batches.clear();
        assertEquals(6, o.committable());
    }

    @Test
    void laneStartIsTheLargerOfTheBackendsAndTheCommittedOffset() {
        RoutedOffsets o = new RoutedOffsets(10);
        assertEquals(10, o.committable(), "resumes at the committed offset");
        assertEquals(12, lane(o, "A", 12).dropBelow);
        assertEquals(10, lane(o, "B", 4).dropBelow, "everything below the committed offset is durable in its table");
        assertEquals(10, lane(o, "C", -1).dropBelow);
    }

    @Test
    void metadataListsTheTablesFed_roundTrip_boundedInLength() {
        RoutedOffsets o = new RoutedOffsets(0);
        lane(o, "A", -1);
        lane(o, "\"Mixed,Case\"", -1);
        assertEquals(List.of("A", "\"Mixed,Case\""), RoutedOffsets.tables(o.metadata()));
        assertEquals(List.of(), RoutedOffsets.tables(""), "a commit without our metadata");
        assertEquals(List.of(), RoutedOffsets.tables("someone else's"));
        RoutedOffsets many = new RoutedOffsets(0);
        for (int i = 0; i < 500; i++) {
            lane(many, "TABLE_NUMBER_" + i, -1);
        }
        String m = many.metadata();
        assertEquals(true, m.length() <= RoutedOffsets.MAX_METADATA_CHARS, m.length() + " chars");
        List<String> listed = RoutedOffsets.tables(m);
        assertEquals("TABLE_NUMBER_0", listed.get(0));
        assertEquals(true, listed.size() > 50 && listed.size() < 500, listed.size() + " listed");
    }
}
