package io.ksbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.KafkaToSnowflakeBridge.Builder;
import io.ksbridge.ingest.IngestBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation message of {@link KafkaToSnowflakeBridge.Builder}, word for word. */
class KafkaToSnowflakeBridgeBuilderTest {

    private static final Map<String, Object> CONSUMER = Map.of("bootstrap.servers", "localhost:9092", "group.id", "g");

    private static Builder hostLoop() {
        return KafkaToSnowflakeBridge.builder().backend(new NoopBackend("noop"));
    }

    private static Builder ownLoop() {
        return hostLoop().consumerProperties(CONSUMER).topics("orders");
    }

    private static String buildFailure(Builder b) {
        return assertThrows(BridgeConfigException.class, b::build).getMessage();
    }

    // ---- setters ----

    static Stream<Arguments> nullSetters() {
        return Stream.<Object[]>of(
                new Object[] {"name", (Consumer<Builder>) b -> b.name(null), "name must not be null"},
                new Object[] {"consumerProperties", (Consumer<Builder>) b -> b.consumerProperties(null),
                        "consumerProperties must not be null"},
                new Object[] {"topics(String...)", (Consumer<Builder>) b -> b.topics((String[]) null), "topics must not be null"},
                new Object[] {"topics(Collection)", (Consumer<Builder>) b -> b.topics((List<String>) null),
                        "topics must not be null"},
                new Object[] {"topics element", (Consumer<Builder>) b -> b.topics("a", null), "topics must not contain null"},
                new Object[] {"topicPattern", (Consumer<Builder>) b -> b.topicPattern(null), "topicPattern must not be null"},
                new Object[] {"format", (Consumer<Builder>) b -> b.format(null), "format must not be null"},
                new Object[] {"keyFormat", (Consumer<Builder>) b -> b.keyFormat(null), "keyFormat must not be null"},
                new Object[] {"tableNamer", (Consumer<Builder>) b -> b.tableNamer(null), "tableNamer must not be null"},
                new Object[] {"router", (Consumer<Builder>) b -> b.router(null), "router must not be null"},
                new Object[] {"flushPolicy", (Consumer<Builder>) b -> b.flushPolicy(null), "flushPolicy must not be null"},
                new Object[] {"metadata", (Consumer<Builder>) b -> b.metadata(null), "metadata must not be null"},
                new Object[] {"errorPolicy", (Consumer<Builder>) b -> b.errorPolicy(null), "errorPolicy must not be null"},
                new Object[] {"nullValues", (Consumer<Builder>) b -> b.nullValues(null), "nullValues must not be null"},
                new Object[] {"retryPolicy", (Consumer<Builder>) b -> b.retryPolicy(null), "retryPolicy must not be null"},
                new Object[] {"pollTimeout", (Consumer<Builder>) b -> b.pollTimeout(null), "pollTimeout must not be null"},
                new Object[] {"commitInterval", (Consumer<Builder>) b -> b.commitInterval(null),
                        "commitInterval must not be null"},
                new Object[] {"closeTimeout", (Consumer<Builder>) b -> b.closeTimeout(null), "closeTimeout must not be null"},
                new Object[] {"batchTimeout", (Consumer<Builder>) b -> b.batchTimeout(null), "batchTimeout must not be null"},
                new Object[] {"backend", (Consumer<Builder>) b -> b.backend(null), "backend must not be null"},
                new Object[] {"listener", (Consumer<Builder>) b -> b.listener(null), "listener must not be null"})
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullSetters")
    void setter_null_nullPointerNamingSetting(String setter, Consumer<Builder> call, String message) {
        NullPointerException e = assertThrows(NullPointerException.class, () -> call.accept(KafkaToSnowflakeBridge.builder()));
        assertEquals(message, e.getMessage());
    }

    static Stream<Arguments> badValues() {
        return Stream.<Object[]>of(
                new Object[] {"name blank", (Consumer<Builder>) b -> b.name("  "), "name must not be blank"},
                new Object[] {"topics blank", (Consumer<Builder>) b -> b.topics("a", " "),
                        "topics must not contain a blank topic, was ' '"},
                new Object[] {"topics empty", (Consumer<Builder>) b -> b.topics(List.of("")),
                        "topics must not contain a blank topic, was ''"},
                new Object[] {"maxBufferedBytes 0", (Consumer<Builder>) b -> b.maxBufferedBytes(0),
                        "maxBufferedBytes must be > 0, was 0"},
                new Object[] {"maxBufferedBytes -1", (Consumer<Builder>) b -> b.maxBufferedBytes(-1),
                        "maxBufferedBytes must be > 0, was -1"},
                new Object[] {"maxRecordBytes 0", (Consumer<Builder>) b -> b.maxRecordBytes(0),
                        "maxRecordBytes must be > 0, was 0"},
                new Object[] {"maxInFlightBatches 0", (Consumer<Builder>) b -> b.maxInFlightBatches(0),
                        "maxInFlightBatches must be > 0, was 0"},
                new Object[] {"maxInFlightBatches -3", (Consumer<Builder>) b -> b.maxInFlightBatches(-3),
                        "maxInFlightBatches must be > 0, was -3"},
                new Object[] {"pollTimeout 0", (Consumer<Builder>) b -> b.pollTimeout(Duration.ZERO),
                        "pollTimeout must be between PT0.001S and PT10S, was PT0S"},
                new Object[] {"pollTimeout 11s", (Consumer<Builder>) b -> b.pollTimeout(Duration.ofSeconds(11)),
                        "pollTimeout must be between PT0.001S and PT10S, was PT11S"},
                new Object[] {"commitInterval negative", (Consumer<Builder>) b -> b.commitInterval(Duration.ofMillis(-1)),
                        "commitInterval must be between PT0S and PT1H, was PT-0.001S"},
                new Object[] {"commitInterval 2h", (Consumer<Builder>) b -> b.commitInterval(Duration.ofHours(2)),
                        "commitInterval must be between PT0S and PT1H, was PT2H"},
                new Object[] {"closeTimeout 61m", (Consumer<Builder>) b -> b.closeTimeout(Duration.ofMinutes(61)),
                        "closeTimeout must be between PT0S and PT1H, was PT1H1M"},
                new Object[] {"batchTimeout 999ms", (Consumer<Builder>) b -> b.batchTimeout(Duration.ofMillis(999)),
                        "batchTimeout must be between PT1S and PT24H, was PT0.999S"},
                new Object[] {"batchTimeout 25h", (Consumer<Builder>) b -> b.batchTimeout(Duration.ofHours(25)),
                        "batchTimeout must be between PT1S and PT24H, was PT25H"})
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void setter_badValue_illegalArgumentVerbatim(String what, Consumer<Builder> call, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> call.accept(KafkaToSnowflakeBridge.builder()));
        assertEquals(message, e.getMessage());
    }

    @Test
    void consumerProperties_nullKey_nullPointer() {
        Map<String, Object> props = new HashMap<>();
        props.put(null, "x");
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> KafkaToSnowflakeBridge.builder().consumerProperties(props));
        assertEquals("consumerProperties must not contain a null key", e.getMessage());
    }

    @Test
    void consumerProperties_nullValue_nullPointerNamingKey() {
        Map<String, Object> props = new HashMap<>();
        props.put("group.id", null);
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> KafkaToSnowflakeBridge.builder().consumerProperties(props));
        assertEquals("consumerProperties must not contain a null value (key group.id)", e.getMessage());
    }

    @Test
    void durations_boundaries_accepted() {
        Builder b = hostLoop().pollTimeout(Duration.ofMillis(1)).pollTimeout(Duration.ofSeconds(10))
                .commitInterval(Duration.ZERO).commitInterval(Duration.ofHours(1))
                .closeTimeout(Duration.ZERO).closeTimeout(Duration.ofHours(1));
        try (KafkaToSnowflakeBridge bridge = b.build()) {
            assertEquals(Duration.ofSeconds(10), bridge.settings().pollTimeout());
            assertEquals(Duration.ofHours(1), bridge.settings().commitInterval());
            assertEquals(Duration.ofHours(1), bridge.settings().closeTimeout());
        }
    }

    // ---- build() ----

    @Test
    void build_noBackend_problem() {
        assertEquals("Invalid value null for setting backend: a backend is required (SnowpipeBackend or StreamingBackend)",
                buildFailure(KafkaToSnowflakeBridge.builder()));
    }

    @Test
    void build_routerWithABackendWithoutTableLanes_problemNamingBoth() {
        assertEquals("Invalid value byField(kind) for setting router: backend noop keeps one lane per partition and"
                + " cannot load one partition into several tables; use a backend whose supportsTableRouting() is true"
                + " (SnowpipeBackend, StreamingBackend, HighPerformanceStreamingBackend) or remove the router",
                buildFailure(hostLoop().router(TableRouter.byField("kind", TableNamer.connectorDefault()))));
    }

    @Test
    void build_routerWithABackendWithTableLanes_builtWithTheRouterInItsSettings() {
        TableRouter router = TableRouter.byHeader("table", TableNamer.connectorDefault());
        IngestBackend lanes = new IngestBackend() {
            @Override
            public io.ksbridge.ingest.PartitionStart open(String table, org.apache.kafka.common.TopicPartition p) {
                throw new UnsupportedOperationException("builder test");
            }

            @Override
            public java.util.concurrent.CompletionStage<io.ksbridge.ingest.IngestResult> ingest(
                    io.ksbridge.ingest.IngestBatch batch) {
                throw new UnsupportedOperationException("builder test");
            }

            @Override
            public boolean supportsTableRouting() {
                return true;
            }

            @Override
            public void close() {
            }
        };
        try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder().backend(lanes).router(router).build()) {
            assertEquals(router, bridge.settings().router());
            assertTrue(bridge.settings().toString().contains("router=byHeader(table)"), bridge.settings().toString());
        }
    }

    @Test
    void build_twoBackends_problemCountingCalls() {
        assertEquals("Invalid value second for setting backend: exactly one backend is allowed, but backend(...) was"
                + " called 2 times", buildFailure(hostLoop().backend(new NoopBackend("second"))));
    }

    @Test
    void build_twiceWithTheSameBackend_secondRefusedNamingTheFirstBridge() {
        Builder b = hostLoop().name("first");
        try (KafkaToSnowflakeBridge first = b.build()) {
            assertEquals("first", first.settings().name());
            assertEquals("Invalid value noop for setting backend: this builder already built bridge 'first' with this"
                    + " backend instance; a backend belongs to one bridge (it holds that bridge's channels, pipes and"
                    + " clients, and that bridge closes it): build each bridge from its own builder, or call"
                    + " backend(...) with a new backend before build()", buildFailure(b.name("second")));
        }
    }

    @Test
    void build_topicsAndTopicPattern_problemNamingBoth() {
        assertEquals("Invalid value o.* for setting topicPattern: topics and topicPattern are mutually exclusive;"
                + " topics [orders] were also set", buildFailure(ownLoop().topicPattern(Pattern.compile("o.*"))));
    }

    @Test
    void build_ownLoopWithoutConsumerProperties_bootstrapAndGroupProblems() {
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value null for setting consumerProperties.bootstrap.servers: an own-loop bridge (topics"
                + " set) needs a consumer: set bootstrap.servers\n"
                + "  - Invalid value null for setting consumerProperties.group.id: an own-loop bridge (topics set)"
                + " needs a consumer group: set group.id", buildFailure(hostLoop().topics("orders")));
    }

    @Test
    void build_ownLoopCloseTimeoutHalfTheMaxPollInterval_problemNamingBoth() {
        Map<String, Object> consumer = new java.util.HashMap<>(CONSUMER);
        consumer.put("max.poll.interval.ms", "60000");
        assertEquals("Invalid value PT30S for setting closeTimeout: must be under half of the consumer's"
                + " max.poll.interval.ms (60000 ms): a revoke waits up to closeTimeout for in-flight batches and up to"
                + " closeTimeout again for the backend's release, inside the rebalance callback, and a member slower"
                + " than max.poll.interval.ms is thrown out of the group",
                buildFailure(ownLoop().consumerProperties(consumer).closeTimeout(Duration.ofSeconds(30))));
        // just under half, and Kafka's default (300 s) against the default closeTimeout (30 s), build
        ownLoop().consumerProperties(consumer).closeTimeout(Duration.ofMillis(29_999)).build().close();
        ownLoop().build().close();
        // Kafka's default against an hour: refused
        assertTrue(buildFailure(ownLoop().closeTimeout(Duration.ofMinutes(3))).contains("(300000 ms)"));
    }

    @Test
    void build_topicPatternWithoutGroup_groupProblem() {
        assertEquals("Invalid value null for setting consumerProperties.group.id: an own-loop bridge (topics set) needs"
                + " a consumer group: set group.id", buildFailure(hostLoop().topicPattern(Pattern.compile("o.*"))
                .consumerProperties(Map.of("bootstrap.servers", "localhost:9092"))));
    }

    @Test
    void build_consumerPropertiesWithoutTopics_problem() {
        assertEquals("Invalid value [] for setting topics: consumerProperties are set, so the bridge runs its own loop"
                + " and needs topics or topicPattern", buildFailure(hostLoop().consumerProperties(CONSUMER)));
    }

    @Test
    void build_autoCommitTrue_problem() {
        assertEquals("Invalid value true for setting consumerProperties.enable.auto.commit: must be false: the bridge"
                + " commits only offsets whose data is durable in Snowflake",
                buildFailure(ownLoop().consumerProperties(Map.of("enable.auto.commit", "TRUE".toLowerCase()))));
        assertEquals("Invalid value true for setting consumerProperties.enable.auto.commit: must be false: the bridge"
                + " commits only offsets whose data is durable in Snowflake",
                buildFailure(ownLoop().consumerProperties(Map.of("enable.auto.commit", true))));
    }

    @Test
    void build_autoCommitFalse_builds() {
        try (KafkaToSnowflakeBridge bridge = ownLoop().consumerProperties(Map.of("enable.auto.commit", "false")).build()) {
            assertEquals("false", bridge.settings().consumerProperties().get("enable.auto.commit"));
        }
    }

    @Test
    void build_maxBufferedBytesBelowFlushByteThreshold_problem() {
        assertEquals("Invalid value 1000000 for setting maxBufferedBytes: must be >= the flush policy's byte threshold"
                + " (5000000)", buildFailure(hostLoop().maxBufferedBytes(1_000_000)));
    }

    @Test
    void build_maxBufferedBytesEqualToFlushByteThreshold_builds() {
        try (KafkaToSnowflakeBridge bridge = hostLoop().maxBufferedBytes(5_000_000).build()) {
            assertEquals(5_000_000, bridge.settings().maxBufferedBytes());
            // maxRecordBytes defaults to 16 MiB, capped at maxBufferedBytes
            assertEquals(5_000_000, bridge.settings().maxRecordBytes());
        }
    }

    @Test
    void build_maxRecordBytesAboveMaxBufferedBytes_problem() {
        assertEquals("Invalid value 2000 for setting maxRecordBytes: must be <= maxBufferedBytes (1000)",
                buildFailure(hostLoop().flushPolicy(FlushPolicy.records(1)).maxBufferedBytes(1000).maxRecordBytes(2000)));
    }

    @Test
    void build_deadLetterWithoutBootstrapServers_problem() {
        assertEquals("Invalid value deadLetter(dlq) for setting errorPolicy: the dead-letter producer needs"
                + " bootstrap.servers: set consumerProperties or give ErrorPolicy.deadLetter(topic, producerProperties)",
                buildFailure(hostLoop().errorPolicy(ErrorPolicy.deadLetter("dlq"))));
    }

    @Test
    void build_deadLetterWithOwnProducerBootstrap_builds() {
        Builder b = hostLoop().errorPolicy(ErrorPolicy.deadLetter("dlq", Map.of("bootstrap.servers", "other:9092")));
        try (KafkaToSnowflakeBridge bridge = b.build()) {
            assertEquals("dlq", bridge.settings().errorPolicy().deadLetterTopic().orElseThrow());
        }
    }

    @Test
    void build_everythingWrong_everyProblemInOneException() {
        Builder b = KafkaToSnowflakeBridge.builder()
                .topics("orders").topicPattern(Pattern.compile("o.*"))
                .consumerProperties(Map.of("enable.auto.commit", "true"))
                .maxBufferedBytes(1000).maxRecordBytes(2000)
                .errorPolicy(ErrorPolicy.deadLetter("dlq"));
        BridgeConfigException e = assertThrows(BridgeConfigException.class, b::build);
        assertEquals("8 configuration problems:\n"
                + "  - Invalid value null for setting backend: a backend is required (SnowpipeBackend or"
                + " StreamingBackend)\n"
                + "  - Invalid value o.* for setting topicPattern: topics and topicPattern are mutually exclusive;"
                + " topics [orders] were also set\n"
                + "  - Invalid value null for setting consumerProperties.bootstrap.servers: an own-loop bridge (topics"
                + " set) needs a consumer: set bootstrap.servers\n"
                + "  - Invalid value null for setting consumerProperties.group.id: an own-loop bridge (topics set)"
                + " needs a consumer group: set group.id\n"
                + "  - Invalid value true for setting consumerProperties.enable.auto.commit: must be false: the bridge"
                + " commits only offsets whose data is durable in Snowflake\n"
                + "  - Invalid value 1000 for setting maxBufferedBytes: must be >= the flush policy's byte threshold"
                + " (5000000)\n"
                + "  - Invalid value 2000 for setting maxRecordBytes: must be <= maxBufferedBytes (1000)\n"
                + "  - Invalid value deadLetter(dlq) for setting errorPolicy: the dead-letter producer needs"
                + " bootstrap.servers: set consumerProperties or give ErrorPolicy.deadLetter(topic, producerProperties)",
                e.getMessage());
        assertEquals(8, e.problems().size());
        assertEquals("maxRecordBytes", e.problems().get(6).setting());
        assertEquals("2000", e.problems().get(6).value());
    }

    // ---- defaults and the built settings ----

    @Test
    void build_hostLoopDefaults_documentedDefaults() {
        try (KafkaToSnowflakeBridge bridge = hostLoop().build()) {
            BridgeSettings s = bridge.settings();
            assertEquals("ksbridge", s.name());
            assertFalse(s.ownsConsumer());
            assertSame(RecordFormat.json(), s.format());
            assertSame(RecordFormat.string(), s.keyFormat());
            assertSame(TableNamer.connectorDefault(), s.tableNamer());
            assertEquals("records(10000).or(bytes(5000000)).or(age(PT2M))", s.flushPolicy().toString());
            assertEquals(MetadataOptions.all(), s.metadata());
            assertEquals(ErrorPolicy.failFast(), s.errorPolicy());
            assertEquals(NullValueBehavior.DEFAULT, s.nullValues());
            assertEquals(256L << 20, s.maxBufferedBytes());
            assertEquals(16L << 20, s.maxRecordBytes());
            assertEquals(32, s.maxInFlightBatches());
            assertEquals(RetryPolicy.defaults(), s.retryPolicy());
            assertEquals(Duration.ofMillis(100), s.pollTimeout());
            assertEquals(Duration.ofSeconds(1), s.commitInterval());
            assertEquals(Duration.ofSeconds(30), s.closeTimeout());
            assertEquals(Duration.ofMinutes(5), s.batchTimeout());
            assertEquals(RetryPolicy.defaults(), s.retryPolicy());
            assertEquals("noop", s.backend().name());
            assertEquals("KafkaToSnowflakeBridge{ksbridge}", bridge.toString());
        }
    }

    @Test
    void build_twice_independentSnapshots() {
        List<String> topics = new ArrayList<>(List.of("a"));
        Builder b = hostLoop().consumerProperties(CONSUMER).topics(topics);
        try (KafkaToSnowflakeBridge first = b.build()) {
            topics.add("mutated-after");
            b.topics("b").name("second").backend(new NoopBackend("its own"));
            try (KafkaToSnowflakeBridge second = b.build()) {
                assertNotSame(first.settings().backend(), second.settings().backend());
                assertNotSame(first.settings(), second.settings());
                assertEquals(List.of("a"), first.settings().topics());
                assertEquals("ksbridge", first.settings().name());
                assertEquals(List.of("a", "b"), second.settings().topics());
                assertTrue(first.settings().ownsConsumer());
                assertThrows(UnsupportedOperationException.class, () -> first.settings().topics().add("x"));
            }
        }
    }

    @Test
    void topics_varargsAndCollection_addUp() {
        try (KafkaToSnowflakeBridge bridge = hostLoop().consumerProperties(CONSUMER).topics("a", "b")
                .topics(Arrays.asList("c")).build()) {
            assertEquals(List.of("a", "b", "c"), bridge.settings().topics());
        }
    }

    @Test
    void settingsToString_secretLookingConsumerProperties_hidden() {
        Map<String, Object> props = new HashMap<>(CONSUMER);
        props.put("sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"jaasPw1\";");
        props.put("ssl.key.password", "keyPw2");
        props.put("ssl.keystore.password", "storePw3");
        props.put("ssl.truststore.password", "trustPw4");
        props.put("sasl.oauthbearer.client.credentials.client.secret", "oauthSecret5");
        props.put("security.protocol", "SASL_SSL");
        try (KafkaToSnowflakeBridge bridge = hostLoop().consumerProperties(props).topics("orders").build()) {
            String text = bridge.settings().toString();
            for (String secret : List.of("jaasPw1", "keyPw2", "storePw3", "trustPw4", "oauthSecret5")) {
                assertFalse(text.contains(secret), text);
            }
            assertTrue(text.contains("sasl.jaas.config=[hidden]"), text);
            assertTrue(text.contains("ssl.key.password=[hidden]"), text);
            assertTrue(text.contains("bootstrap.servers=localhost:9092"), text);
            assertTrue(text.contains("security.protocol=SASL_SSL"), text);
            assertTrue(text.contains("group.id=g"), text);
        }
    }

    @Test
    void builderToString_consumerPropertiesWithSecrets_notPrinted() {
        Builder b = hostLoop().consumerProperties(Map.of("sasl.jaas.config", "password=\"jaasPw1\";"));
        assertFalse(b.toString().contains("jaasPw1"), b.toString());
    }
}
