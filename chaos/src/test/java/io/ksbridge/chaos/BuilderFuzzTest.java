package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.ErrorPolicy;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RetryPolicy;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Random wrong, missing and conflicting settings for {@link KafkaToSnowflakeBridge#builder()} (seeded). A wrong
 * single value fails at its setter with a NullPointerException or IllegalArgumentException whose message names the
 * setting; missing and conflicting settings fail {@code build()} with one {@link BridgeConfigException} that names
 * exactly the settings a model of the rules expects; a valid combination builds. Never another exception, never a
 * hang.
 */
class BuilderFuzzTest {
    private static final int CASES = 3_000;

    /** A setter call with a wrong value, and the setting its message must name. */
    private record BadSetter(String setting, Class<? extends RuntimeException> type, Consumer<KafkaToSnowflakeBridge.Builder> call) {
    }

    private static final List<BadSetter> BAD_SETTERS = List.of(
            new BadSetter("name", NullPointerException.class, b -> b.name(null)),
            new BadSetter("name", IllegalArgumentException.class, b -> b.name(" \t")),
            new BadSetter("consumerProperties", NullPointerException.class, b -> b.consumerProperties(null)),
            new BadSetter("consumerProperties", NullPointerException.class, b -> b.consumerProperties(nullValue())),
            new BadSetter("topics", NullPointerException.class, b -> b.topics((String[]) null)),
            new BadSetter("topics", NullPointerException.class, b -> b.topics("ok", null)),
            new BadSetter("topics", IllegalArgumentException.class, b -> b.topics("ok", " ")),
            new BadSetter("topicPattern", NullPointerException.class, b -> b.topicPattern(null)),
            new BadSetter("format", NullPointerException.class, b -> b.format(null)),
            new BadSetter("keyFormat", NullPointerException.class, b -> b.keyFormat(null)),
            new BadSetter("tableNamer", NullPointerException.class, b -> b.tableNamer(null)),
            new BadSetter("flushPolicy", NullPointerException.class, b -> b.flushPolicy(null)),
            new BadSetter("metadata", NullPointerException.class, b -> b.metadata(null)),
            new BadSetter("errorPolicy", NullPointerException.class, b -> b.errorPolicy(null)),
            new BadSetter("nullValues", NullPointerException.class, b -> b.nullValues(null)),
            new BadSetter("maxBufferedBytes", IllegalArgumentException.class, b -> b.maxBufferedBytes(0)),
            new BadSetter("maxBufferedBytes", IllegalArgumentException.class, b -> b.maxBufferedBytes(Long.MIN_VALUE)),
            new BadSetter("maxRecordBytes", IllegalArgumentException.class, b -> b.maxRecordBytes(-1)),
            new BadSetter("maxInFlightBatches", IllegalArgumentException.class, b -> b.maxInFlightBatches(0)),
            new BadSetter("retryPolicy", NullPointerException.class, b -> b.retryPolicy(null)),
            new BadSetter("pollTimeout", NullPointerException.class, b -> b.pollTimeout(null)),
            new BadSetter("pollTimeout", IllegalArgumentException.class, b -> b.pollTimeout(Duration.ZERO)),
            new BadSetter("pollTimeout", IllegalArgumentException.class, b -> b.pollTimeout(Duration.ofSeconds(11))),
            new BadSetter("commitInterval", IllegalArgumentException.class, b -> b.commitInterval(Duration.ofMillis(-1))),
            new BadSetter("commitInterval", IllegalArgumentException.class, b -> b.commitInterval(Duration.ofDays(1))),
            new BadSetter("closeTimeout", IllegalArgumentException.class, b -> b.closeTimeout(Duration.ofSeconds(-5))),
            new BadSetter("closeTimeout", NullPointerException.class, b -> b.closeTimeout(null)),
            new BadSetter("backend", NullPointerException.class, b -> b.backend(null)),
            new BadSetter("listener", NullPointerException.class, b -> b.listener(null)),
            new BadSetter("FlushPolicy.records", IllegalArgumentException.class, b -> b.flushPolicy(FlushPolicy.records(0))),
            new BadSetter("FlushPolicy.bytes", IllegalArgumentException.class, b -> b.flushPolicy(FlushPolicy.bytes(-3))),
            new BadSetter("FlushPolicy.age", IllegalArgumentException.class, b -> b.flushPolicy(FlushPolicy.age(Duration.ofSeconds(-1)))),
            new BadSetter("deadLetter topic", IllegalArgumentException.class, b -> b.errorPolicy(ErrorPolicy.deadLetter("  "))),
            new BadSetter("deadLetter topic", NullPointerException.class, b -> b.errorPolicy(ErrorPolicy.deadLetter(null))),
            new BadSetter("RetryPolicy initial", IllegalArgumentException.class,
                    b -> b.retryPolicy(RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)))),
            new BadSetter("RetryPolicy max", IllegalArgumentException.class,
                    b -> b.retryPolicy(RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))));

    private static Map<String, Object> nullValue() {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", null);
        return m;
    }

    /** What the fuzzer did to one builder, enough to know which problems build() must report. */
    private static final class Model {
        int backends;
        boolean topics;
        boolean pattern;
        boolean bootstrap;
        boolean group;
        boolean otherConsumerProps;
        boolean autoCommitTrue;
        long maxBuffered = 256L << 20;
        long maxRecord = -1;
        long flushBytes = 5_000_000; // the connector defaults' byte threshold
        boolean deadLetter;
        boolean deadLetterBootstrap;

        Set<String> expectedProblems() {
            Set<String> p = new TreeSet<>();
            if (backends != 1) {
                p.add("backend");
            }
            if (topics && pattern) {
                p.add("topicPattern");
            }
            if (topics || pattern) {
                if (!bootstrap) {
                    p.add("consumerProperties.bootstrap.servers");
                }
                if (!group) {
                    p.add("consumerProperties.group.id");
                }
            } else if (bootstrap || group || otherConsumerProps || autoCommitTrue) {
                p.add("topics");
            }
            if (autoCommitTrue) {
                p.add("consumerProperties.enable.auto.commit");
            }
            if (maxBuffered < flushBytes) {
                p.add("maxBufferedBytes");
            }
            long cap = maxRecord > 0 ? maxRecord : Math.min(16L << 20, maxBuffered);
            if (cap > maxBuffered) {
                p.add("maxRecordBytes");
            }
            if (deadLetter && !deadLetterBootstrap && !bootstrap) {
                p.add("errorPolicy");
            }
            return p;
        }
    }

    @Test
    void builder_randomWrongMissingAndConflictingSettings_failWithTheSettingNamedNeverOtherwise() {
        int[] outcomes = new int[3]; // setter rejections, build rejections, successful builds
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int seed = 0; seed < CASES; seed++) {
                runCase(seed, outcomes);
            }
        });
        // the fuzzer must actually reach every outcome, or it tests nothing
        assertTrue(outcomes[0] > CASES / 2, "setter rejections: " + outcomes[0]);
        assertTrue(outcomes[1] > CASES / 4, "build rejections: " + outcomes[1]);
        assertTrue(outcomes[2] > CASES / 50, "valid builds: " + outcomes[2]);
    }

    private static void runCase(int seed, int[] outcomes) {
        Random r = new Random(seed);
        KafkaToSnowflakeBridge.Builder b = KafkaToSnowflakeBridge.builder();
        Model m = new Model();
        int steps = 1 + r.nextInt(8);
        for (int i = 0; i < steps; i++) {
            if (r.nextInt(3) == 0) {
                BadSetter bad = BAD_SETTERS.get(r.nextInt(BAD_SETTERS.size()));
                try {
                    bad.call().accept(b);
                    fail("seed " + seed + ": " + bad.setting() + " accepted a wrong value");
                } catch (RuntimeException e) {
                    assertEquals(bad.type(), e.getClass(), "seed " + seed + ": " + bad.setting() + ": " + e);
                    assertTrue(e.getMessage() != null && e.getMessage().contains(bad.setting()),
                            "seed " + seed + ": the message names " + bad.setting() + ": " + e.getMessage());
                    outcomes[0]++;
                }
            } else {
                applyRandomSetting(r, b, m);
            }
        }
        Set<String> expected = m.expectedProblems();
        try {
            KafkaToSnowflakeBridge bridge = b.build();
            bridge.close(Duration.ZERO);
            assertTrue(expected.isEmpty(), "seed " + seed + ": built although " + expected + " are wrong; " + b);
            outcomes[2]++;
        } catch (BridgeConfigException e) {
            Set<String> named = new TreeSet<>();
            e.problems().forEach(p -> named.add(p.setting()));
            assertEquals(expected, named, "seed " + seed + ": " + e.getMessage());
            for (String s : expected) {
                assertTrue(e.getMessage().contains("for setting " + s + ":"), "seed " + seed + ": " + e.getMessage());
            }
            outcomes[1]++;
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + ": build() threw " + e + " for " + b, e);
        }
    }

    /** A valid single value, which may still conflict with others. */
    private static void applyRandomSetting(Random r, KafkaToSnowflakeBridge.Builder b, Model m) {
        switch (r.nextInt(13)) {
            case 0, 1 -> {
                b.backend(new RecordingBackend());
                m.backends++;
            }
            case 2 -> {
                b.topics("orders", "pay\u00e9ments-\u65e5\u672c");
                m.topics = true;
            }
            case 3 -> {
                b.topicPattern(Pattern.compile("orders.*"));
                m.pattern = true;
            }
            case 4 -> {
                b.consumerProperties(Map.of("bootstrap.servers", "localhost:1"));
                m.bootstrap = true;
            }
            case 5 -> {
                b.consumerProperties(Map.of("group.id", "g"));
                m.group = true;
            }
            case 6 -> {
                boolean on = r.nextBoolean();
                b.consumerProperties(Map.of("enable.auto.commit", on ? "TRUE" : "false"));
                m.autoCommitTrue = on;
                m.otherConsumerProps = true;
            }
            case 7 -> {
                long v = List.of(1L << 10, 1L << 20, 8L << 20, 64L << 20).get(r.nextInt(4));
                b.maxBufferedBytes(v);
                m.maxBuffered = v;
            }
            case 8 -> {
                long v = List.of(100L, 1L << 20, 32L << 20).get(r.nextInt(3));
                b.maxRecordBytes(v);
                m.maxRecord = v;
            }
            case 9 -> {
                long v = List.of(500L, 2_000_000L, 50_000_000L).get(r.nextInt(3));
                b.flushPolicy(FlushPolicy.records(100).or(FlushPolicy.bytes(v)));
                m.flushBytes = v;
            }
            case 10 -> {
                b.flushPolicy(FlushPolicy.records(100).or(FlushPolicy.age(Duration.ofSeconds(1))));
                m.flushBytes = 0;
            }
            case 11 -> {
                boolean own = r.nextBoolean();
                b.errorPolicy(own ? ErrorPolicy.deadLetter("dlq", Map.of("bootstrap.servers", "localhost:1"))
                        : ErrorPolicy.deadLetter("dlq"));
                m.deadLetter = true;
                m.deadLetterBootstrap = own;
            }
            default -> {
                b.errorPolicy(r.nextBoolean() ? ErrorPolicy.skip() : ErrorPolicy.failFast());
                m.deadLetter = false;
                m.deadLetterBootstrap = false;
            }
        }
    }

    @Test
    void builder_everyWrongSetterValue_namesItsSetting() {
        List<String> problems = new ArrayList<>();
        for (BadSetter bad : BAD_SETTERS) {
            try {
                bad.call().accept(KafkaToSnowflakeBridge.builder());
                problems.add(bad.setting() + ": accepted");
            } catch (RuntimeException e) {
                if (e.getClass() != bad.type() || e.getMessage() == null || !e.getMessage().contains(bad.setting())) {
                    problems.add(bad.setting() + ": " + e);
                }
            }
        }
        assertEquals(List.of(), problems);
    }
}
