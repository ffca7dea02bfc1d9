package io.ksbridge.examples.source;

import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.source.ChangeSource;
import io.ksbridge.source.SnowflakeToKafkaBridge;
import io.ksbridge.source.TableSpec;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.TrackedTable;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Snowflake to Kafka: a table's inserts, updates and deletes appearing in a topic, printed as a plain
 * {@code read_committed} consumer (no Spring, no framework) sees them. A Kafka broker and the Snowflake emulator run
 * in this JVM. Run it with {@code mvn -B -q -Pquickstart -DskipTests package
 * -Dquickstart.main=io.ksbridge.examples.source.ChangesQuickstart}.
 */
public final class ChangesQuickstart {
    private ChangesQuickstart() {
    }

    /** {@code --changes}: the read-only CHANGES-clause source instead of the managed stream. */
    public static void main(String[] args) throws Exception {
        run(System.out, List.of(args).contains("--changes"));
    }

    /** Runs the demo with the managed stream, printing to {@code out}; returns the records the consumer printed. */
    public static int run(PrintStream out) throws Exception {
        return run(out, false);
    }

    /**
     * Runs the demo, printing to {@code out}; returns the records the consumer printed.
     *
     * @param readOnly the CHANGES-clause source ({@link ChangeSource#changes()}; the table's owner turns change tracking
     *                 on) instead of the managed stream
     */
    public static int run(PrintStream out, boolean readOnly) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            TrackedTable orders = snowflake.changes().createTable("SHOP.PUBLIC.ORDERS", List.of("ID"),
                    new ColumnDef("ID", "NUMBER(38,0)", false), new ColumnDef("STATUS", "VARCHAR", true),
                    new ColumnDef("AMOUNT", "NUMBER(10,2)", true));
            orders.insert(Map.of("ID", 1, "STATUS", "new", "AMOUNT", "19.90"), Map.of("ID", 2, "STATUS", "new", "AMOUNT", "5.00"));
            if (readOnly) {
                orders.changeTracking(true); // what the owner's ALTER TABLE ... SET CHANGE_TRACKING = TRUE does
            }
            kafka.createTopic("shop.orders", 1);
            SnowflakeAccount account = SnowflakeAccount.builder().url(snowflake.account().url().toString()).allowInsecureHttp()
                    .user(SnowflakeEmulator.USER).role(SnowflakeEmulator.ROLE).warehouse("DEMO_WH")
                    .privateKey(snowflake.privateKeyPem()).build();
            try (SnowflakeToKafkaBridge bridge = SnowflakeToKafkaBridge.builder()
                    .name("orders-cdc")
                    .account(account)
                    .producerProperties(Map.of("bootstrap.servers", kafka.bootstrapServers()))
                    .table(TableSpec.of("SHOP.PUBLIC.ORDERS").topic("shop.orders"))
                    .source(readOnly ? ChangeSource.changes() : ChangeSource.stream())
                    .pollInterval(Duration.ofMillis(200))
                    .build();
                 KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                         "group.id", "orders-reader", "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
                         new StringDeserializer(), new StringDeserializer())) {
                bridge.start();
                consumer.subscribe(List.of("shop.orders"));
                out.println("the table has 2 rows; the bridge publishes them as a snapshot (op r), then each change:");
                int printed = print(consumer, out, 2);
                orders.insert(Map.of("ID", 3, "STATUS", "new", "AMOUNT", "42.00"));
                orders.update("ID", 1, Map.of("STATUS", "shipped"));
                orders.delete("ID", 2);
                out.println("-- inserted 3, shipped 1, deleted 2:");
                printed += print(consumer, out, 4); // c 3, u 1, d 2 and its tombstone
                return printed;
            }
        }
    }

    private static int print(KafkaConsumer<String, String> consumer, PrintStream out, int want) {
        int n = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (n < want && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                out.println("key " + r.key() + "  value " + (r.value() == null ? "null (tombstone)" : r.value()));
                n++;
            }
        }
        if (n < want) {
            throw new IllegalStateException("only " + n + " of " + want + " records arrived");
        }
        return n;
    }
}
