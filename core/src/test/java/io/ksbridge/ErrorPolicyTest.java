package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ErrorPolicyTest {

    @Test
    void failFast_failActionNoTopic() {
        ErrorPolicy p = ErrorPolicy.failFast();
        assertEquals(ErrorPolicy.Action.FAIL, p.action());
        assertEquals(Optional.empty(), p.deadLetterTopic());
        assertEquals(Map.of(), p.producerProperties());
        assertEquals("failFast", p.toString());
        assertSame(p, ErrorPolicy.failFast());
    }

    @Test
    void skip_skipActionNoTopic() {
        ErrorPolicy p = ErrorPolicy.skip();
        assertEquals(ErrorPolicy.Action.SKIP, p.action());
        assertEquals(Optional.empty(), p.deadLetterTopic());
        assertEquals("skip", p.toString());
    }

    @Test
    void deadLetter_topic_deadLetterActionWithTopic() {
        ErrorPolicy p = ErrorPolicy.deadLetter("orders-dlq");
        assertEquals(ErrorPolicy.Action.DEAD_LETTER, p.action());
        assertEquals(Optional.of("orders-dlq"), p.deadLetterTopic());
        assertEquals(Map.of(), p.producerProperties());
        assertEquals("deadLetter(orders-dlq)", p.toString());
    }

    @Test
    void deadLetter_producerProperties_copiedAndImmutable() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "other:9092");
        ErrorPolicy p = ErrorPolicy.deadLetter("dlq", props);
        props.put("acks", "0");
        assertEquals(Map.of("bootstrap.servers", "other:9092"), p.producerProperties());
        assertThrows(UnsupportedOperationException.class, () -> p.producerProperties().put("x", "y"));
    }

    @Test
    void deadLetter_secretProducerProperties_notInToString() {
        ErrorPolicy p = ErrorPolicy.deadLetter("dlq", Map.of("sasl.jaas.config", "password=\"jaasPw\";"));
        assertEquals("deadLetter(dlq)", p.toString());
    }

    @Test
    void deadLetter_nullTopic_nullPointer() {
        assertEquals("deadLetter topic must not be null",
                assertThrows(NullPointerException.class, () -> ErrorPolicy.deadLetter(null)).getMessage());
    }

    @Test
    void deadLetter_blankTopic_illegalArgument() {
        assertEquals("deadLetter topic must not be blank",
                assertThrows(IllegalArgumentException.class, () -> ErrorPolicy.deadLetter(" ")).getMessage());
    }

    @Test
    void deadLetter_nullProducerProperties_nullPointer() {
        assertEquals("producerProperties must not be null",
                assertThrows(NullPointerException.class, () -> ErrorPolicy.deadLetter("dlq", null)).getMessage());
    }

    @Test
    void equals_sameSettings_equal() {
        assertEquals(ErrorPolicy.deadLetter("dlq"), ErrorPolicy.deadLetter("dlq", Map.of()));
        assertEquals(ErrorPolicy.deadLetter("dlq").hashCode(), ErrorPolicy.deadLetter("dlq", Map.of()).hashCode());
        assertEquals(ErrorPolicy.deadLetter("dlq", Map.of("a", "1")), ErrorPolicy.deadLetter("dlq", Map.of("a", "1")));
    }

    @Test
    void equals_differentSettings_notEqual() {
        assertNotEquals(ErrorPolicy.deadLetter("dlq"), ErrorPolicy.deadLetter("dlq2"));
        assertNotEquals(ErrorPolicy.deadLetter("dlq"), ErrorPolicy.deadLetter("dlq", Map.of("a", "1")));
        assertNotEquals(ErrorPolicy.failFast(), ErrorPolicy.skip());
    }
}
