package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteBufTest {

    @Test
    void number_writesWhatLongToStringWrites_atTheBoundsAndAtRandom() {
        long[] values = {0, 1, -1, 9, 10, -10, 99, 100, 999_999_999_999L, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1_000_000_000_000_000_000L};
        Random random = new Random(3);
        ByteBuf buf = new ByteBuf(4);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < values.length + 10_000; i++) {
            long v = i < values.length ? values[i] : random.nextLong() >> random.nextInt(64);
            buf.number(v).write(',');
            expected.append(v).append(',');
        }
        assertEquals(expected.toString(), new String(buf.toByteArray(), StandardCharsets.US_ASCII));
    }
}
