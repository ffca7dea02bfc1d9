package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RetryPolicyTest {

    @Test
    void defaults_100msDoublingTo30s_jittered_givesUpAfter40Attempts() {
        RetryPolicy p = RetryPolicy.defaults();
        assertEquals(new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(30), 2.0, 40, 0.2), p);
        assertTrue(p.allows(39));
        assertFalse(p.allows(40));
        assertTrue(RetryPolicy.forever().allows(1_000_000));
    }

    @Test
    void defaults_totalWaitBeforeGivingUp_betweenThirteenAndSeventeenMinutes() {
        RetryPolicy p = RetryPolicy.defaults();
        Duration longest = Duration.ZERO;
        Duration shortest = Duration.ZERO;
        for (int attempt = 1; p.allows(attempt); attempt++) {
            longest = longest.plus(p.delay(attempt, 0.0));
            shortest = shortest.plus(p.delay(attempt, 0.999_999));
        }
        assertTrue(shortest.compareTo(Duration.ofMinutes(12)) > 0 && longest.compareTo(Duration.ofMinutes(17)) < 0,
                shortest + " .. " + longest);
    }

    @Test
    void delay_withJitter_shortensByUpToTheFraction_neverLonger() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10)).withJitter(0.2);
        assertEquals(Duration.ofSeconds(10), p.delay(1, 0.0));
        assertEquals(Duration.ofSeconds(9), p.delay(1, 0.5));
        Duration shortest = p.delay(1, 0.999_999_999);
        assertTrue(shortest.compareTo(Duration.ofSeconds(8)) >= 0 && shortest.compareTo(Duration.ofMillis(8_001)) < 0,
                shortest.toString());
        assertEquals(Duration.ofSeconds(10), p.withJitter(0).delay(1, 0.7), "no jitter: the nominal delay");
        assertThrows(IllegalArgumentException.class, () -> p.delay(1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> p.withJitter(1.5));
    }

    @ParameterizedTest(name = "attempt {0} -> {1} ms")
    @CsvSource({"0, 100", "1, 100", "2, 200", "3, 400", "4, 800", "9, 25600", "10, 30000", "11, 30000",
            "1000, 30000", "2147483647, 30000"})
    void delay_defaults_doublesThenCaps(int attempt, long millis) {
        assertEquals(Duration.ofMillis(millis), RetryPolicy.defaults().delay(attempt));
    }

    @Test
    void delay_multiplierOneAndAHalf_grows() {
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 1.5, 0);
        assertEquals(Duration.ofMillis(100), p.delay(1));
        assertEquals(Duration.ofMillis(150), p.delay(2));
        assertEquals(Duration.ofMillis(225), p.delay(3));
    }

    @Test
    void delay_subMillisecondInitial_notTruncatedToZero() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofNanos(500_000), Duration.ofMillis(3));
        assertEquals(Duration.ofNanos(500_000), p.delay(1));
        assertEquals(Duration.ofMillis(1), p.delay(2));
        assertEquals(Duration.ofMillis(2), p.delay(3));
        assertEquals(Duration.ofMillis(3), p.delay(4));
    }

    @Test
    void delay_hugeMax_noOverflow() {
        RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofDays(365L * 1000));
        assertEquals(Duration.ofSeconds(1024), p.delay(11));
    }

    @Test
    void delay_multiplierOne_constant() {
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(250), Duration.ofSeconds(1), 1.0, 0);
        assertEquals(Duration.ofMillis(250), p.delay(50));
        // 0.3 s is not exact in binary floating point: still exactly 300 ms
        assertEquals(Duration.ofMillis(300), new RetryPolicy(Duration.ofMillis(300), Duration.ofSeconds(1), 1.0, 0).delay(7));
    }

    @Test
    void delay_initialEqualsMax_alwaysMax() {
        assertEquals(Duration.ofSeconds(1), RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1)).delay(5));
    }

    @Test
    void withMaxAttempts_three_allowsTwoMoreAfterFirstFailure() {
        RetryPolicy p = RetryPolicy.defaults().withMaxAttempts(3);
        assertEquals(3, p.maxAttempts());
        assertTrue(p.allows(0));
        assertTrue(p.allows(2));
        assertFalse(p.allows(3));
        assertFalse(p.allows(4));
        assertEquals(RetryPolicy.defaults().initial(), p.initial());
        assertEquals(40, RetryPolicy.defaults().maxAttempts(), "the original is unchanged");
    }

    static Stream<Arguments> invalid() {
        Duration s = Duration.ofSeconds(1);
        return Stream.of(
                Arguments.of((Executable) () -> new RetryPolicy(null, s, 2, 0), NullPointerException.class,
                        "initial must not be null"),
                Arguments.of((Executable) () -> new RetryPolicy(s, null, 2, 0), NullPointerException.class,
                        "max must not be null"),
                Arguments.of((Executable) () -> new RetryPolicy(Duration.ZERO, s, 2, 0), IllegalArgumentException.class,
                        "RetryPolicy initial must be > 0, was PT0S"),
                Arguments.of((Executable) () -> new RetryPolicy(Duration.ofMillis(-5), s, 2, 0),
                        IllegalArgumentException.class, "RetryPolicy initial must be > 0, was PT-0.005S"),
                Arguments.of((Executable) () -> new RetryPolicy(s, Duration.ofMillis(500), 2, 0),
                        IllegalArgumentException.class, "RetryPolicy max must be >= initial (PT1S), was PT0.5S"),
                Arguments.of((Executable) () -> new RetryPolicy(s, s, 0.5, 0), IllegalArgumentException.class,
                        "RetryPolicy multiplier must be >= 1, was 0.5"),
                Arguments.of((Executable) () -> new RetryPolicy(s, s, Double.NaN, 0), IllegalArgumentException.class,
                        "RetryPolicy multiplier must be >= 1, was NaN"),
                Arguments.of((Executable) () -> new RetryPolicy(s, s, 2, -1), IllegalArgumentException.class,
                        "RetryPolicy maxAttempts must be >= 0, was -1"),
                Arguments.of((Executable) () -> RetryPolicy.defaults().withMaxAttempts(-2),
                        IllegalArgumentException.class, "RetryPolicy maxAttempts must be >= 0, was -2"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("invalid")
    void constructor_invalid_exceptionVerbatim(Executable call, Class<? extends Throwable> type, String message) {
        assertEquals(message, assertThrows(type, call).getMessage());
    }
}
