package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.function.Executable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FlushPolicyTest {

    private static BufferStats stats(long records, long bytes, long ageMillis) {
        return new BufferStats("TABLE", "topic", 0, records, bytes, Duration.ofMillis(ageMillis));
    }

    static Stream<Arguments> decisions() {
        FlushPolicy records = FlushPolicy.records(3);
        FlushPolicy bytes = FlushPolicy.bytes(100);
        FlushPolicy age = FlushPolicy.age(Duration.ofSeconds(10));
        return Stream.of(
                Arguments.of("records below", records, stats(2, 1_000_000, 1_000_000), false),
                Arguments.of("records at", records, stats(3, 0, 0), true),
                Arguments.of("records above", records, stats(4, 0, 0), true),
                Arguments.of("bytes below", bytes, stats(1_000_000, 99, 1_000_000), false),
                Arguments.of("bytes at", bytes, stats(1, 100, 0), true),
                Arguments.of("age below", age, stats(1_000_000, 1_000_000, 9_999), false),
                Arguments.of("age at", age, stats(1, 0, 10_000), true),
                Arguments.of("age zero always", FlushPolicy.age(Duration.ZERO), stats(1, 1, 0), true),
                Arguments.of("or neither", records.or(bytes), stats(2, 99, 0), false),
                Arguments.of("or first", records.or(bytes), stats(3, 0, 0), true),
                Arguments.of("or second", records.or(bytes), stats(1, 100, 0), true),
                Arguments.of("and one", records.and(bytes), stats(3, 99, 0), false),
                Arguments.of("and other", records.and(bytes), stats(2, 100, 0), false),
                Arguments.of("and both", records.and(bytes), stats(3, 100, 0), true),
                Arguments.of("defaults quiet", FlushPolicy.connectorDefaults(), stats(9_999, 4_999_999, 119_999), false),
                Arguments.of("defaults records", FlushPolicy.connectorDefaults(), stats(10_000, 0, 0), true),
                Arguments.of("defaults bytes", FlushPolicy.connectorDefaults(), stats(1, 5_000_000, 0), true),
                Arguments.of("defaults age", FlushPolicy.connectorDefaults(), stats(1, 1, 120_000), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void shouldFlush_stats_decision(String what, FlushPolicy policy, BufferStats stats, boolean expected) {
        assertEquals(expected, policy.shouldFlush(stats));
    }

    static Stream<Arguments> thresholds() {
        return Stream.of(
                Arguments.of(FlushPolicy.records(3), OptionalLong.empty(), Optional.empty(), "records(3)"),
                Arguments.of(FlushPolicy.bytes(100), OptionalLong.of(100), Optional.empty(), "bytes(100)"),
                Arguments.of(FlushPolicy.age(Duration.ofSeconds(10)), OptionalLong.empty(),
                        Optional.of(Duration.ofSeconds(10)), "age(PT10S)"),
                Arguments.of(FlushPolicy.bytes(100).or(FlushPolicy.bytes(50)), OptionalLong.of(50), Optional.empty(),
                        "bytes(100).or(bytes(50))"),
                Arguments.of(FlushPolicy.records(3).or(FlushPolicy.bytes(50)), OptionalLong.of(50), Optional.empty(),
                        "records(3).or(bytes(50))"),
                Arguments.of(FlushPolicy.age(Duration.ofSeconds(5)).or(FlushPolicy.age(Duration.ofSeconds(9))),
                        OptionalLong.empty(), Optional.of(Duration.ofSeconds(5)), "age(PT5S).or(age(PT9S))"),
                Arguments.of(FlushPolicy.bytes(100).and(FlushPolicy.bytes(50)), OptionalLong.of(100), Optional.empty(),
                        "bytes(100).and(bytes(50))"),
                // an and with records never flushes on bytes alone: no byte threshold
                Arguments.of(FlushPolicy.records(3).and(FlushPolicy.bytes(50)), OptionalLong.empty(), Optional.empty(),
                        "records(3).and(bytes(50))"),
                Arguments.of(FlushPolicy.age(Duration.ofSeconds(5)).and(FlushPolicy.age(Duration.ofSeconds(9))),
                        OptionalLong.empty(), Optional.of(Duration.ofSeconds(9)), "age(PT5S).and(age(PT9S))"),
                Arguments.of(FlushPolicy.age(Duration.ofSeconds(5)).and(FlushPolicy.records(2)),
                        OptionalLong.empty(), Optional.empty(), "age(PT5S).and(records(2))"),
                Arguments.of(FlushPolicy.connectorDefaults(), OptionalLong.of(5_000_000),
                        Optional.of(Duration.ofSeconds(120)), "records(10000).or(bytes(5000000)).or(age(PT2M))"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("thresholds")
    void thresholds_policy_derivedFromParts(FlushPolicy policy, OptionalLong bytes, Optional<Duration> age,
                                           String text) {
        assertEquals(bytes, policy.byteThreshold());
        assertEquals(age, policy.ageThreshold());
        assertEquals(text, policy.toString());
    }

    @Test
    void customLambda_noThresholds_combinesWithBuiltIns() {
        FlushPolicy lambda = s -> s.table().equals("HOT");
        assertEquals(OptionalLong.empty(), lambda.byteThreshold());
        assertEquals(Optional.empty(), lambda.ageThreshold());
        FlushPolicy combined = lambda.or(FlushPolicy.bytes(10));
        assertEquals(OptionalLong.of(10), combined.byteThreshold());
        assertEquals(true, combined.shouldFlush(new BufferStats("HOT", "t", 0, 1, 1, Duration.ZERO)));
        assertEquals(false, combined.shouldFlush(new BufferStats("COLD", "t", 0, 1, 1, Duration.ZERO)));
    }

    static Stream<Arguments> argumentErrors() {
        return Stream.of(
                Arguments.of((Executable) () -> FlushPolicy.records(0), IllegalArgumentException.class,
                        "FlushPolicy.records count must be >= 1, was 0"),
                Arguments.of((Executable) () -> FlushPolicy.records(-7), IllegalArgumentException.class,
                        "FlushPolicy.records count must be >= 1, was -7"),
                Arguments.of((Executable) () -> FlushPolicy.bytes(0), IllegalArgumentException.class,
                        "FlushPolicy.bytes must be >= 1, was 0"),
                Arguments.of((Executable) () -> FlushPolicy.age(null), NullPointerException.class,
                        "FlushPolicy.age must not be null"),
                Arguments.of((Executable) () -> FlushPolicy.age(Duration.ofSeconds(-1)), IllegalArgumentException.class,
                        "FlushPolicy.age must be >= 0, was PT-1S"),
                Arguments.of((Executable) () -> FlushPolicy.records(1).or(null), NullPointerException.class,
                        "other flush policy must not be null"),
                Arguments.of((Executable) () -> FlushPolicy.records(1).and(null), NullPointerException.class,
                        "other flush policy must not be null"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("argumentErrors")
    void factories_badArgument_exceptionVerbatim(Executable call, Class<? extends Throwable> type, String message) {
        assertEquals(message, assertThrows(type, call).getMessage());
    }

    @Test
    void bufferStats_nullParts_nullPointer() {
        assertThrows(NullPointerException.class, () -> new BufferStats(null, "t", 0, 0, 0, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new BufferStats("T", null, 0, 0, 0, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> new BufferStats("T", "t", 0, 0, 0, null));
    }
}
