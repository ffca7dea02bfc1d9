package io.ksbridge.examples.spring;

import io.ksbridge.spring.kafka.KsbridgeListenerAdapter;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * A Spring Boot application that loads the {@code payments} topic into Snowflake from a Spring Kafka listener: the
 * host-loop mode of ksbridge inside a listener container. {@code ksbridge.enabled=true} without topics makes the
 * starter build a host-loop bridge from the {@code ksbridge.*} properties, a {@link KsbridgeListenerAdapter}, and a
 * container factory set up for it ({@code ksbridgeListenerContainerFactory}: batch, manual acks, one consumer thread,
 * the bridge's rebalance listener). The listener hands every poll to the adapter, which commits only what is durable.
 *
 * <pre>
 * ksbridge:
 *   enabled: true
 *   consumer: { bootstrap.servers: kafka:9092, group.id: payments-loader }
 *   snowflake: { url: https://myorg-myaccount.snowflakecomputing.com, user: KSBRIDGE, private-key: ${SNOWFLAKE_KEY},
 *                database: RAW, schema: KAFKA }
 *   flush: { records: 10000, age: 30s }
 * </pre>
 * Tested by {@code PaymentsLoaderApplicationIT} on the in-process broker and the emulator.
 */
@SpringBootApplication
@EnableKafka
public class PaymentsLoaderApplication {

    public static void main(String[] args) {
        SpringApplication.run(PaymentsLoaderApplication.class, args);
    }

    /** The application's listener: its own work with the records, then the bridge's turn. */
    @Component
    public static class PaymentsListener {
        private final KsbridgeListenerAdapter ksbridge;
        private long bytesSeen;

        public PaymentsListener(KsbridgeListenerAdapter ksbridge) {
            this.ksbridge = ksbridge;
        }

        // idIsGroup = false: the consumer group is ksbridge.consumer.group.id, not the listener id
        @KafkaListener(id = "payments", idIsGroup = false, topics = "payments",
                containerFactory = "ksbridgeListenerContainerFactory")
        public void onPoll(ConsumerRecords<byte[], byte[]> records, Consumer<?, ?> consumer) {
            records.forEach(r -> bytesSeen += r.value() == null ? 0 : r.value().length); // the application's own work
            ksbridge.onPoll(records, consumer);                                         // never acknowledge: ksbridge commits
        }

        /** Bytes the application saw; read it only from the listener thread, or after the container stopped. */
        public long bytesSeen() {
            return bytesSeen;
        }
    }
}
