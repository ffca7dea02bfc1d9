package io.ksbridge.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BatchTimeoutException;
import io.ksbridge.BridgeListener;
import io.ksbridge.FlushPolicy;
import io.ksbridge.IngestException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.RecordFormat;
import io.ksbridge.RetryPolicy;
import io.ksbridge.ingest.IngestBatch;
import io.ksbridge.ingest.IngestResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The engine's timers on a clock the test moves: batch deadlines, retries that give up, jittered backoff, and errors
 * that are not swallowed. Host-loop engine driven by {@code accept}, scripted backend: no broker, no sleeping.
 */
class EngineTimersTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private final FakeTicker clock = new FakeTicker();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Engine engine(ScriptedBackend backend, UnaryOperator<KafkaToSnowflakeBridge.Builder> settings) {
        KafkaToSnowflakeBridge.Builder b = KafkaToSnowflakeBridge.builder()
                .format(RecordFormat.json())
                .flushPolicy(FlushPolicy.records(10))
                .retryPolicy(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0, 0))
                .closeTimeout(Duration.ZERO)
                .backend(backend)
                .listener(new BridgeListener() {
                    @Override
                    public void onFailure(Throwable cause) {
                        failure.set(cause);
                    }
                });
        Engine engine = new Engine(settings.apply(b).build().settings(), clock);
        engine.rebalanceListener(null).onPartitionsAssigned(List.of(TP));
        return engine;
    }

    private static ConsumerRecords<byte[], byte[]> records(long from, long to) {
        return Polls.records(TP, from, to);
    }

    private static long durable(Engine engine) {
        return engine.durableOffsets().getOrDefault(TP, new OffsetAndMetadata(0)).offset();
    }

    @Test
    void batchWithoutOutcome_pastBatchTimeout_bridgeStopsNamingPartitionAndRange_nothingCommittedPastIt() {
        ScriptedBackend backend = new ScriptedBackend(false);
        Engine engine = engine(backend, b -> b.batchTimeout(Duration.ofMinutes(5)));
        engine.accept(records(0, 10));
        backend.result(0).complete(IngestResult.durable());
        engine.accept(records(10, 20)); // 10-19 is handed over and never answered
        assertEquals(10, durable(engine));

        clock.advance(Duration.ofMinutes(5));
        engine.accept(Polls.none());
        assertEquals(null, failure.get(), "at exactly batchTimeout the batch still has time");

        clock.advance(Duration.ofSeconds(1));
        BatchTimeoutException e = assertThrows(BatchTimeoutException.class, () -> engine.accept(Polls.none()));
        assertEquals(TP, e.partition());
        assertEquals(10, e.firstOffset());
        assertEquals(19, e.lastOffset());
        assertEquals(Duration.ofSeconds(301), e.waited());
        assertTrue(e.getMessage().contains("orders-0 offsets 10-19") && e.getMessage().contains("batchTimeout (PT5M)"),
                e.getMessage());
        assertSame(e, failure.get(), "the listener hears the same failure");

        backend.result(1).complete(IngestResult.durable()); // the late answer counts for nothing
        assertEquals(10, durable(engine), "no offset past the batch that timed out");
        engine.close(Duration.ZERO);
    }

    @Test
    void batchTimeout_runsPerAttempt_aRetriedBatchGetsAFreshDeadline() {
        ScriptedBackend backend = new ScriptedBackend(false);
        Engine engine = engine(backend, b -> b.batchTimeout(Duration.ofMinutes(5)));
        engine.accept(records(0, 10));
        clock.advance(Duration.ofMinutes(4));
        backend.result(0).complete(IngestResult.retry(new IngestException("throttled", true)));
        engine.accept(Polls.none());
        clock.advance(Duration.ofSeconds(1)); // the backoff
        engine.accept(Polls.none());
        assertEquals(List.of("0-9#1", "0-9#2"), backend.order());

        clock.advance(Duration.ofMinutes(4)); // 9 min since the first hand-over, 4 since the second
        engine.accept(Polls.none());
        assertEquals(null, failure.get());

        clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        BatchTimeoutException e = assertThrows(BatchTimeoutException.class, () -> engine.accept(Polls.none()));
        assertTrue(e.getMessage().contains("(attempt 2)"), e.getMessage());
        engine.close(Duration.ZERO);
    }

    @Test
    void retriesRunOut_bridgeStopsWithTheLastCause_namingBatchAndPolicy() {
        ScriptedBackend backend = new ScriptedBackend(false);
        Engine engine = engine(backend, b -> b.retryPolicy(
                new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0, 3)));
        engine.accept(records(0, 10));
        for (int arrival = 0; arrival < 2; arrival++) {
            backend.result(arrival).complete(IngestResult.retry(new IngestException("503 #" + arrival, true)));
            engine.accept(Polls.none());
            clock.advance(Duration.ofSeconds(1));
            engine.accept(Polls.none());
        }
        assertEquals(List.of("0-9#1", "0-9#2", "0-9#3"), backend.order());
        backend.result(2).complete(IngestResult.retry(new IngestException("503 #2", true)));

        IngestException e = assertThrows(IngestException.class, () -> engine.accept(Polls.none()));
        assertTrue(e.getMessage().contains("ORDERS/orders-0/0-9") && e.getMessage().contains("after 3 attempts")
                && e.getMessage().contains("maxAttempts 3") && e.getMessage().contains("503 #2"), e.getMessage());
        assertEquals(0, durable(engine));
        engine.close(Duration.ZERO);
    }

    @Test
    void retryBackoff_jittered_neverShorterThanTheJitterAllows_andDueByTheNominalDelay() {
        ScriptedBackend backend = new ScriptedBackend(false);
        Engine engine = engine(backend, b -> b.retryPolicy(
                new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(10), 1.0, 0, 0.5)));
        engine.accept(records(0, 10));
        backend.result(0).complete(IngestResult.retry(new IngestException("throttled", true)));
        engine.accept(Polls.none());

        clock.advance(Duration.ofMillis(4_999));
        engine.accept(Polls.none());
        assertEquals(List.of("0-9#1"), backend.order(), "half the delay at most is taken off");

        clock.advance(Duration.ofMillis(5_001));
        engine.accept(Polls.none());
        assertEquals(List.of("0-9#1", "0-9#2"), backend.order(), "due by the nominal delay");
        backend.result(1).complete(IngestResult.durable());
        engine.accept(Polls.none());
        assertEquals(10, durable(engine));
        engine.close(Duration.ZERO);
    }

    @Test
    void outOfMemoryInTheBackend_reachesTheHostUnwrapped() {
        ScriptedBackend backend = new ScriptedBackend(false) {
            @Override
            public synchronized CompletionStage<IngestResult> ingest(IngestBatch batch) {
                throw new OutOfMemoryError("Java heap space (test)");
            }
        };
        Engine engine = engine(backend, UnaryOperator.identity());
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> engine.accept(records(0, 10)));
        assertEquals("Java heap space (test)", e.getMessage());
        assertNotNull(failure.get(), "the listener heard it");
        assertEquals(0, durable(engine));
        engine.close(Duration.ZERO);
    }
    @Test
    void recordNotConvertibleYet_eachRetryReachesTheListenerWithItsOffset_thenTheRecordLands() {
        ScriptedBackend backend = new ScriptedBackend(false);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        RecordFormat flaky = (data, context, out) -> {
            if (context.offset() == 3 && calls.incrementAndGet() <= 2) {
                throw new IngestException("registry unreachable (test)", true);
            }
            out.writeRaw(data);
        };
        List<io.ksbridge.BridgeEvents.Retry> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
        Engine engine = engine(backend, b -> b.format(flaky)
                .retryPolicy(new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 1.0, 5))
                .listener(new BridgeListener() {
                    @Override
                    public void onRetry(io.ksbridge.BridgeEvents.Retry event) {
                        retries.add(event);
                    }
                }));
        engine.accept(records(0, 10));
        assertEquals(2, retries.size(), retries.toString());
        for (int i = 0; i < 2; i++) {
            io.ksbridge.BridgeEvents.Retry r = retries.get(i);
            assertEquals(TP, r.partition());
            assertEquals(3, r.firstOffset());
            assertEquals(3, r.lastOffset());
            assertEquals(i + 1, r.attempt());
            assertEquals(false, r.isOpen());
            assertEquals("ORDERS", r.table());
        }
        assertEquals(List.of("0-9#1"), backend.order(), "all ten records in the batch, none skipped");
        backend.result(0).complete(IngestResult.durable());
        engine.accept(Polls.none());
        assertEquals(10, durable(engine));
        engine.close(Duration.ZERO);
    }
}
