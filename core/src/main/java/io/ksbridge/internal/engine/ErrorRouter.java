package io.ksbridge.internal.engine;

import io.ksbridge.BridgeEvents;
import io.ksbridge.BridgeListener;
import io.ksbridge.BridgeSettings;
import io.ksbridge.RecordCoordinates;
import io.ksbridge.RecordFormatException;
import io.ksbridge.ingest.IngestResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record that cannot be loaded where the error policy says: stop the bridge, skip it (told to the listener),
 * or the dead-letter topic. Polling thread; the dead-letter producer is made on first use.
 */
final class ErrorRouter {
    private static final Logger log = LoggerFactory.getLogger(ErrorRouter.class);

    private final BridgeSettings s;
    private final BridgeListener listener;
    private DeadLetterWriter deadLetters;

    ErrorRouter(BridgeSettings settings, BridgeListener listener) {
        this.s = settings;
        this.listener = listener;
    }

    /** A record the bridge could not turn into a row. */
    void route(PartitionState ps, ConsumerRecord<byte[], byte[]> rec, RecordFormatException bad) {
        Future<?> sent = send(rec, bad);
        if (sent != null) {
            ps.deadLetters.add(sent);
        }
    }

    /** Rows of a durable batch that Snowflake refused; dead letters are awaited before the batch counts as durable. */
    void routeRejected(InFlight f, List<IngestResult.RowRejection> rejected) {
        List<Future<?>> sent = new ArrayList<>();
        for (IngestResult.RowRejection rej : rejected) {
            ConsumerRecord<byte[], byte[]> source = null;
            for (ConsumerRecord<byte[], byte[]> rec : f.sources) {
                if (rec.offset() == rej.offset()) {
                    source = rec;
                    break;
                }
            }
            RecordCoordinates at = new RecordCoordinates(f.batch.partition().topic(), f.batch.partition().partition(),
                    rej.offset());
            RecordFormatException bad = new RecordFormatException(at, RecordFormatException.Side.RECORD,
                    "Snowflake rejected the row: " + rej.reason(), null);
            if (source == null && s.errorPolicy().action() == io.ksbridge.ErrorPolicy.Action.DEAD_LETTER) {
                throw new IllegalStateException("backend rejected offset " + rej.offset()
                        + " which is not a row of batch " + f.batch.id());
            }
            Future<?> one = send(source, bad);
            if (one != null) {
                sent.add(one);
            }
        }
        await(sent);
    }

    /** Waits for the partition's dead letters before its batch is flushed: none may be lost behind a durable offset. */
    void awaitBefore(PartitionState ps) {
        if (!ps.deadLetters.isEmpty()) {
            await(ps.deadLetters);
        }
    }

    private Future<?> send(ConsumerRecord<byte[], byte[]> rec, RecordFormatException bad) {
        switch (s.errorPolicy().action()) {
            case FAIL -> throw bad;
            case SKIP -> {
                listener.onSkip(new BridgeEvents.Skip(bad.coordinates(), bad.reason()));
                return null;
            }
            default -> {
                DeadLetterWriter dlq = writer();
                Future<?> sent = dlq.send(rec, bad.side().name(), bad.reason(), bad);
                listener.onDeadLetter(new BridgeEvents.DeadLetter(bad.coordinates(), dlq.topic(), bad.reason()));
                return sent;
            }
        }
    }

    private void await(List<Future<?>> sent) {
        if (!sent.isEmpty()) {
            writer().await(sent, s.closeTimeout().plusSeconds(30));
        }
    }

    private DeadLetterWriter writer() {
        if (deadLetters == null) {
            deadLetters = new DeadLetterWriter(s.errorPolicy().deadLetterTopic().orElseThrow(), s.consumerProperties(),
                    s.errorPolicy().producerProperties());
        }
        return deadLetters;
    }

    /** Closes the dead-letter producer, if one was made. Any thread, once the polling thread let go. */
    void close(Duration timeout) {
        if (deadLetters != null) {
            try {
                deadLetters.close(timeout);
            } catch (RuntimeException e) {
                log.warn("closing the dead-letter producer failed: {}", e.toString());
            }
        }
    }
}
