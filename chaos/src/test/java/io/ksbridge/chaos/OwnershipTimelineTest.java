package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.chaos.OwnershipTimeline.Tenure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which worker incarnations held a partition while a range of offsets went through it. */
class OwnershipTimelineTest {

    private static List<String> who(List<Tenure> tenures) {
        return tenures.stream().map(t -> t.who() + ":" + t.end()).toList();
    }

    @Test
    void owners_assignRevokeKillAndRestart_eachIncarnationInOrderWithHowItEnded() {
        OwnershipTimeline t = new OwnershipTimeline();
        t.assigned(1_000, 0, 1, "own", List.of("chaos_b-5", "chaos_a-0"));
        t.revoked(2_000, 0, 1, List.of("chaos_b-5"));
        t.assigned(2_100, 1, 1, "host", List.of("chaos_b-5"));
        t.ended(3_000, 1, 1, "killed");
        t.assigned(4_000, 1, 2, "host", List.of("chaos_b-5"));

        assertEquals(List.of("0.1:revoked", "1.1:killed", "1.2:held"), who(t.owners("chaos_b-5", 0, 10_000)));
        assertEquals(List.of("1.1:killed"), who(t.owners("chaos_b-5", 2_500, 3_500)));
        assertEquals(List.of("0.1:held"), who(t.owners("chaos_a-0", 0, 10_000)));
        assertEquals(List.of(), t.owners("chaos_c-1", 0, 10_000));
    }

    @Test
    void owners_windowTouchingATenureEdge_included() {
        OwnershipTimeline t = new OwnershipTimeline();
        t.assigned(1_000, 2, 3, "own", List.of("p-0"));
        t.ended(2_000, 2, 3, "stopped");
        assertEquals(1, t.owners("p-0", 2_000, 2_500).size());
        assertEquals(1, t.owners("p-0", 0, 1_000).size());
        assertEquals(0, t.owners("p-0", 2_001, 9_000).size());
    }

    @Test
    void ended_secondEndOfTheSameIncarnation_changesNothing() {
        OwnershipTimeline t = new OwnershipTimeline();
        t.assigned(1_000, 0, 1, "own", List.of("p-0"));
        t.ended(2_000, 0, 1, "killed");
        t.ended(5_000, 0, 1, "stopped");
        List<Tenure> owners = t.owners("p-0", 0, 10_000);
        assertEquals(1, owners.size());
        assertEquals(2_000, owners.get(0).to());
        assertEquals("killed", owners.get(0).end());
    }

    @Test
    void apply_workerLines_assignAndRevokeParsedOtherLinesIgnored() {
        OwnershipTimeline t = new OwnershipTimeline();
        assertTrue(t.apply("ASSIGNED at=1000 id=1.2 [chaos_a-1, chaos_b-5]", 1, 2, "host"));
        assertTrue(t.apply("REVOKED at=3000 id=1.2 [chaos_b-5]", 1, 2, "host"));
        assertFalse(t.apply("STATUS heapUsed=1 liveHeap=-1", 1, 2, "host"));
        assertFalse(t.apply("ASSIGNED 6 partitions [chaos_a-1]", 1, 2, "host")); // no time: not an ownership line

        List<Tenure> b5 = t.owners("chaos_b-5", 0, 10_000);
        assertEquals(1, b5.size());
        assertEquals(new Tenure("chaos_b-5", 1, 2, "host", 1_000, 3_000, "revoked"), b5.get(0));
        assertEquals(List.of("1.2:held"), who(t.owners("chaos_a-1", 5_000, 6_000)));
    }

    @Test
    void committed_samples_firstMomentPastAnOffsetAndValueAtATime() {
        OwnershipTimeline t = new OwnershipTimeline();
        t.committed(1_000, Map.of("p-0", 100L));
        t.committed(1_500, Map.of("p-0", 100L));
        t.committed(2_000, Map.of("p-0", 2_237L));
        assertEquals(2_000, t.committedPast("p-0", 1_237));
        assertEquals(1_000, t.committedPast("p-0", 99));
        assertEquals(-1, t.committedPast("p-0", 2_237));
        assertEquals(100, t.committedAt("p-0", 1_999));
        assertEquals(-1, t.committedAt("p-0", 999));
        assertEquals(-1, t.committedPast("p-1", 0));
    }

    @Test
    void describe_tenure_namesIncarnationModeTimesEndAndCommittedOffsets() {
        OwnershipTimeline t = new OwnershipTimeline();
        t.committed(0, Map.of("p-0", 10L));
        t.assigned(1_000, 1, 3, "host", List.of("p-0"));
        t.committed(1_500, Map.of("p-0", 50L));
        t.revoked(2_000, 1, 3, List.of("p-0"));
        assertEquals("worker 1.3 (host) 00:00:01.000-00:00:02.000 revoked, committed 10->50",
                t.describe(t.owners("p-0", 0, 5_000).get(0)));
    }
}
