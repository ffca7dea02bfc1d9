package io.ksbridge.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active instance's producer: records and a table's position in one Kafka transaction (or, not transactional,
 * records first, then the position). Opened when the instance becomes active ({@code initTransactions()} fences every
 * earlier incarnation and aborts its open transaction), closed when it stands by. Called on the bridge's thread.
 */
final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

    private final SourceSettings s;
    private final PositionStore positions;
    private final Hook hook;
    private KafkaProducer<byte[], byte[]> producer;

    Publisher(SourceSettings settings, PositionStore positions, Hook hook) {
        this.s = settings;
        this.positions = positions;
        this.hook = hook;
    }

    boolean isOpen() {
        return producer != null;
    }

    /** Opens the producer and, transactional, fences predecessors. @throws NotLeader when fenced meanwhile */
    void open() {
        Map<String, Object> props = new HashMap<>(s.producerProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (s.transactional()) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, s.transactionalId());
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) s.transactionTimeout().toMillis());
        }
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        try {
            if (s.transactional()) {
                producer.initTransactions(); // fences every earlier incarnation and aborts its open transaction
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new NotLeader("fenced while starting", e);
        }
    }

    /**
     * Sends the records and the table's next position in one transaction (not transactional: records, then position).
     *
     * @param table    the source table (the position's key)
     * @param records  the records, maybe none
     * @param position the position's JSON
     * @param hookSeq  what the test hook is told at {@link Hook.Step#BEFORE_COMMIT}
     * @throws NotLeader when a newer instance fenced this one
     */
    void commit(String table, List<ProducerRecord<byte[], byte[]>> records, byte[] position, long hookSeq) {
        ProducerRecord<byte[], byte[]> pos = new ProducerRecord<>(s.offsetsTopic(), 0, positions.key(table), position);
        try {
            if (s.transactional()) {
                producer.beginTransaction();
                for (ProducerRecord<byte[], byte[]> r : records) {
                    producer.send(r);
                }
                producer.send(pos);
                // commitTransaction flushes first anyway; flushing here puts the records in the log before the step
                // a kill may interrupt, as a real kill after the sends completed would leave them (aborted, unread
                // by read_committed consumers)
                producer.flush();
                hook.at(Hook.Step.BEFORE_COMMIT, table, hookSeq);
                producer.commitTransaction();
            } else {
                List<Future<?>> sent = new ArrayList<>();
                for (ProducerRecord<byte[], byte[]> r : records) {
                    sent.add(producer.send(r));
                }
                producer.flush();
                await(sent);
                hook.at(Hook.Step.BEFORE_COMMIT, table, hookSeq);
                await(List.of(producer.send(pos)));
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw new NotLeader("fenced by a newer instance", e);
        }
    }

    private static void await(List<Future<?>> sent) {
        for (Future<?> f : sent) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("interrupted while sending", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof KafkaException ? (KafkaException) e.getCause() : new KafkaException(e.getCause());
            }
        }
    }

    /** Closes the producer (at once after a simulated crash, else waiting up to 5 s). Idempotent. */
    void close(boolean crashed) {
        KafkaProducer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(crashed ? Duration.ZERO : Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the producer: {}", e.toString());
            }
        }
    }
}
