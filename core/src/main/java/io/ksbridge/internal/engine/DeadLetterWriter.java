package io.ksbridge.internal.engine;

import io.ksbridge.IngestException;
import io.ksbridge.RecordFormatException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records the bridge cannot load to the dead-letter topic: the original key, value and headers, plus
 * {@code ksbridge.error.*} headers. Never includes secrets: only the record's coordinates and the format's reason.
 */
final class DeadLetterWriter implements AutoCloseable {
    static final String H_TOPIC = "ksbridge.error.topic";
    static final String H_PARTITION = "ksbridge.error.partition";
    static final String H_OFFSET = "ksbridge.error.offset";
    static final String H_SIDE = "ksbridge.error.side";
    static final String H_MESSAGE = "ksbridge.error.message";
    static final String H_EXCEPTION = "ksbridge.error.exception";

    private final String topic;
    private final Map<String, Object> props;
    private KafkaProducer<byte[], byte[]> producer;

    DeadLetterWriter(String topic, Map<String, Object> consumerProps, Map<String, Object> producerProps) {
        this.topic = topic;
        Map<String, Object> p = new HashMap<>();
        // Connection and security settings carry over from the consumer; consumer-only keys would only warn.
        for (String key : List.of("bootstrap.servers", "security.protocol", "client.dns.lookup")) {
            if (consumerProps.containsKey(key)) {
                p.put(key, consumerProps.get(key));
            }
        }
        consumerProps.forEach((k, v) -> {
            if (k.startsWith("sasl.") || k.startsWith("ssl.")) {
                p.put(k, v);
            }
        });
        p.putAll(producerProps);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Dead letters are few; one request in flight keeps them in order and avoids KAFKA-15591 on new topics.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        p.put(ProducerConfig.LINGER_MS_CONFIG, p.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, 5));
        this.props = p;
    }

    String topic() {
        return topic;
    }

    Future<?> send(ConsumerRecord<byte[], byte[]> record, String side, String reason, Throwable cause) {
        if (producer == null) {
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h.key(), h.value());
        }
        headers.add(H_TOPIC, utf8(record.topic()));
        headers.add(H_PARTITION, utf8(Integer.toString(record.partition())));
        headers.add(H_OFFSET, utf8(Long.toString(record.offset())));
        headers.add(H_SIDE, utf8(side));
        headers.add(H_MESSAGE, utf8(reason));
        Throwable root = cause instanceof RecordFormatException && cause.getCause() != null ? cause.getCause() : cause;
        if (root != null) {
            headers.add(H_EXCEPTION, utf8(root.getClass().getName()));
        }
        return producer.send(new ProducerRecord<>(topic, null, record.timestamp() >= 0 ? record.timestamp() : null,
                record.key(), record.value(), headers));
    }

    /** Waits until every future is acknowledged; a failed one is fatal: the record would be lost. */
    void await(List<Future<?>> futures, Duration timeout) {
        if (futures.isEmpty()) {
            return;
        }
        producer.flush();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IngestException("interrupted while writing to dead-letter topic " + topic, false, e);
            } catch (Exception e) {
                throw new IngestException("cannot write to dead-letter topic " + topic + " (check that it exists and "
                        + "this application may write to it): " + e.getMessage(), false, e);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /** Closes the producer within {@code timeout} (at most 5 s). */
    public void close(Duration timeout) {
        if (producer != null) {
            producer.close(timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5));
            producer = null;
        }
    }
}
