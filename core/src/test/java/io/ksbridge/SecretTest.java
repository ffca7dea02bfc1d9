package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void toString_anyValue_hidden() {
        Secret s = Secret.of("-----BEGIN PRIVATE KEY-----MIIE");
        assertEquals("[hidden]", s.toString());
        assertEquals("key=[hidden]", "key=" + s);
        assertEquals("[[hidden]]", List.of(s).toString());
        assertEquals("{k=[hidden]}", Map.of("k", s).toString());
        assertEquals("[hidden]", String.format("%s", s));
    }

    @Test
    void reveal_value_returnedAsGiven() {
        assertEquals(" p@ss word ", Secret.of(" p@ss word ").reveal());
    }

    @Test
    void isEmpty_emptyAndNonEmpty() {
        assertTrue(Secret.of("").isEmpty());
        assertFalse(Secret.of(" ").isEmpty());
    }

    @Test
    void equals_sameValue_equalWithSameHash() {
        assertEquals(Secret.of("abc"), Secret.of("abc"));
        assertEquals(Secret.of("abc").hashCode(), Secret.of("abc").hashCode());
        assertEquals(Secret.of("ключ"), Secret.of("ключ"));
    }

    @Test
    void equals_differentValues_notEqual() {
        assertNotEquals(Secret.of("abc"), Secret.of("abd"));
        assertNotEquals(Secret.of("abc"), Secret.of("abcd"));
        assertNotEquals(Secret.of(""), Secret.of("a"));
        assertNotEquals(Secret.of("abc"), "abc");
        assertNotEquals(Secret.of("abc"), null);
    }

    @Test
    void hashCode_differentValues_revealsNothing() {
        assertEquals(Secret.of("a").hashCode(), Secret.of("completely different").hashCode());
    }

    @Test
    void of_null_nullPointer() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> Secret.of(null));
        assertEquals("secret value must not be null", e.getMessage());
    }
}
