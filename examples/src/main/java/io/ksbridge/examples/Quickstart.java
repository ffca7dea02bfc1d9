package io.ksbridge.examples;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.RecordingBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The quickstart: a real Kafka broker in this JVM, two topics, a bridge, and what landed in which table.
 *
 * <p>Run it with {@code mvn -B -q -Pquickstart -DskipTests package}.
 */
public final class Quickstart {
    private Quickstart() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopic("orders", 2);
            kafka.createTopic("web-clicks", 2);
            for (int i = 0; i < 1_000; i++) {
                kafka.produce("orders", i % 2, "order-" + i, "{\"order_id\":" + i + ",\"amount\":" + (i * 3 % 97) + ".5}");
                kafka.produce("web-clicks", i % 2, null, "{\"page\":\"/p/" + (i % 7) + "\",\"ms\":" + (i % 300) + "}");
            }

            RecordingBackend snowflake = new RecordingBackend();
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .name("quickstart")
                    .consumerProperties(kafka.consumerProperties("quickstart"))
                    .topics("orders", "web-clicks")
                    .flushPolicy(FlushPolicy.records(500).or(FlushPolicy.age(Duration.ofMillis(500))))
                    .backend(snowflake)
                    .build()) {
                bridge.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (snowflake.rowCount() < 2_000 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
            }

            System.out.println();
            System.out.println("ksbridge quickstart: 2,000 records from 2 topics");
            System.out.printf("%-32s %8s%n", "table", "rows");
            for (String table : snowflake.tables()) {
                System.out.printf("%-32s %8d%n", table, snowflake.rows(table).size());
            }
            Map<org.apache.kafka.common.TopicPartition, Long> committed = kafka.committedOffsets("quickstart");
            System.out.println("committed offsets: " + new java.util.TreeMap<>(committed.entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(), Map.Entry::getValue))));
            List<RecordingBackend.Row> orders = snowflake.rows("ORDERS");
            if (!orders.isEmpty()) {
                RecordingBackend.Row row = orders.get(0);
                System.out.println("sample row of ORDERS:");
                System.out.println("  RECORD_CONTENT  = " + row.content());
                System.out.println("  RECORD_METADATA = " + row.metadata());
            }
        }
    }
}
