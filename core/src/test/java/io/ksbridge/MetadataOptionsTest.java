package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MetadataOptionsTest {

    private static List<Boolean> flags(MetadataOptions m) {
        return List.of(m.enabled(), m.topic(), m.offsetAndPartition(), m.createTime(), m.connectorPushTime());
    }

    @Test
    void all_everyField() {
        assertEquals(List.of(true, true, true, true, true), flags(MetadataOptions.all()));
        assertEquals("MetadataOptions{topic=true, offsetAndPartition=true, createTime=true, connectorPushTime=true}",
                MetadataOptions.all().toString());
    }

    @Test
    void none_noField() {
        assertEquals(List.of(false, false, false, false, false), flags(MetadataOptions.none()));
        assertEquals("MetadataOptions{none}", MetadataOptions.none().toString());
    }

    static Stream<Arguments> switches() {
        return Stream.of(
                Arguments.of("topic", (UnaryOperator<MetadataOptions>) m -> m.withTopic(false),
                        List.of(true, false, true, true, true)),
                Arguments.of("offsetAndPartition", (UnaryOperator<MetadataOptions>) m -> m.withOffsetAndPartition(false),
                        List.of(true, true, false, true, true)),
                Arguments.of("createTime", (UnaryOperator<MetadataOptions>) m -> m.withCreateTime(false),
                        List.of(true, true, true, false, true)),
                Arguments.of("connectorPushTime", (UnaryOperator<MetadataOptions>) m -> m.withConnectorPushTime(false),
                        List.of(true, true, true, true, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("switches")
    void withFlag_false_onlyThatFieldOff(String name, UnaryOperator<MetadataOptions> off, List<Boolean> expected) {
        MetadataOptions m = off.apply(MetadataOptions.all());
        assertEquals(expected, flags(m));
        assertEquals(List.of(true, true, true, true, true), flags(MetadataOptions.all()), "all() is unchanged");
        assertNotEquals(MetadataOptions.all(), m);
    }

    @Test
    void none_flagSwitchedOn_stillNothing() {
        MetadataOptions m = MetadataOptions.none().withTopic(true).withCreateTime(true);
        assertFalse(m.enabled());
        assertFalse(m.topic());
        assertFalse(m.createTime());
        assertEquals("MetadataOptions{none}", m.toString());
    }

    @Test
    void equals_sameFlags_equalWithSameHash() {
        MetadataOptions roundTrip = MetadataOptions.all().withTopic(false).withTopic(true);
        assertEquals(MetadataOptions.all(), roundTrip);
        assertEquals(MetadataOptions.all().hashCode(), roundTrip.hashCode());
        assertTrue(MetadataOptions.all().withCreateTime(false).equals(MetadataOptions.all().withCreateTime(false)));
        assertNotEquals(MetadataOptions.all(), MetadataOptions.none());
    }
}
