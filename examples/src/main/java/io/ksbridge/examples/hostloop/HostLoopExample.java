package io.ksbridge.examples.hostloop;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Embedding ksbridge in a consumer loop the application already has: the application keeps polling (and may do its
 * own work with the records), hands every poll to the bridge, and commits only what the bridge reports durable.
 *
 * <p>Run: {@code mvn -B -q -Pquickstart -DskipTests package -Dquickstart.main=io.ksbridge.examples.hostloop.HostLoopExample}
 */
public final class HostLoopExample {
    private HostLoopExample() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            kafka.createTopic("payments", 3);
            for (int i = 0; i < 3_000; i++) {
                kafka.produce("payments", i % 3, "p" + i, "{\"payment\":" + i + ",\"cents\":" + (i * 7 % 10_000) + "}");
            }

            // The application's own consumer: byte arrays, and no auto-commit (the bridge says what may be committed).
            Map<String, Object> props = new HashMap<>(kafka.consumerProperties("payments-app"));
            props.put("enable.auto.commit", false);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
                 KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()   // no topics: a host-loop bridge
                         .flushPolicy(FlushPolicy.records(1_000).or(FlushPolicy.age(Duration.ofMillis(500))))
                         .backend(SnowpipeBackend.builder().account(snowflake.account()).database("APP").schema("PUBLIC").build())
                         .build()) {
                // The bridge's listener opens partitions in Snowflake, seeks to where its data ends, and commits on revoke.
                consumer.subscribe(List.of("payments"), bridge.rebalanceListener(consumer));
                long sum = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (snowflake.tables().find("APP.PUBLIC.PAYMENTS").map(t -> t.rowCount()).orElse(0) < 3_000
                        && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        sum += r.value().length;                 // the application's own work
                    }
                    bridge.accept(records);                      // every poll, even an empty one
                    consumer.commitSync(bridge.durableOffsets()); // never ahead of Snowflake
                }
                System.out.printf("the application read %,d bytes; Snowflake holds %,d rows in APP.PUBLIC.PAYMENTS%n", sum,
                        snowflake.table("APP.PUBLIC.PAYMENTS").rowCount());
                bridge.close();                                  // flush and wait for the last loads
                consumer.commitSync(bridge.durableOffsets());    // still answers after close
                System.out.println("committed: " + kafka.committedOffsets("payments-app"));
            }
        }
        System.exit(0);
    }
}
