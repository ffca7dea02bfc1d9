package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.BridgeListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SafeListenerTest {

    private static BridgeListener recording(String name, List<String> heard, boolean throwing) {
        return new BridgeListener() {
            @Override
            public void onAssigned(Set<TopicPartition> partitions) {
                heard.add(name + ":" + partitions);
                if (throwing) {
                    throw new IllegalStateException(name + " is broken");
                }
            }
        };
    }

    @Test
    void everyListenerHearsTheEventInOrder_oneThatThrowsDoesNotKeepItFromTheOthers() {
        List<String> heard = new ArrayList<>();
        BridgeListener all = SafeListener.of(List.of(recording("a", heard, false), recording("b", heard, true),
                recording("c", heard, false)));

        all.onAssigned(Set.of(new TopicPartition("t", 0)));

        assertEquals(List.of("a:[t-0]", "b:[t-0]", "c:[t-0]"), heard);
    }

    @Test
    void groupsNestedInGroupsAreFlattened_eachListenerHearsAnEventOnce() {
        List<String> heard = new ArrayList<>();
        BridgeListener inner = SafeListener.of(List.of(recording("a", heard, false), recording("b", heard, false)));
        BridgeListener outer = SafeListener.of(List.of(inner, recording("c", heard, false)));

        outer.onAssigned(Set.of(new TopicPartition("t", 1)));

        assertEquals(List.of("a:[t-1]", "b:[t-1]", "c:[t-1]"), heard);
    }
}
