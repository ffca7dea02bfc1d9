package io.ksbridge.examples.avro;

import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.format.avro.AvroFormat;
import io.ksbridge.format.registry.SchemaRegistryClient;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SchemaRegistry;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Avro with a schema registry: a real Kafka broker, a schema registry and the Snowflake emulator in this JVM, Avro
 * keys and values in Confluent's wire format (as Confluent's {@code KafkaAvroSerializer} writes them), and a bridge
 * that loads them through Snowpipe as VARIANT rows with {@code schema_id} and {@code key_schema_id} in
 * {@code RECORD_METADATA}.
 *
 * <p>Run it with
 * {@code mvn -B -q -Pquickstart -DskipTests package -Dquickstart.main=io.ksbridge.examples.avro.AvroWithRegistryExample}.
 * Against a real registry, pass its URL to {@link AvroFormat#builder()} with {@code basicAuth} or {@code sslContext}.
 */
public final class AvroWithRegistryExample {
    static final String ORDER_SCHEMA = """
            {"type":"record","name":"Order","namespace":"shop","fields":[
              {"name":"id","type":"long"},
              {"name":"item","type":"string"},
              {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},
              {"name":"placedAt","type":{"type":"long","logicalType":"timestamp-millis"}},
              {"name":"giftNote","type":["null","string"],"default":null}
            ]}""";

    private AvroWithRegistryExample() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); SchemaRegistry registry = SchemaRegistry.start();
             SnowflakeEmulator snowflake = SnowflakeEmulator.start()) {
            Schema order = new Schema.Parser().parse(ORDER_SCHEMA);
            Schema key = Schema.create(Schema.Type.STRING);
            int valueId = registry.register("orders-value", "AVRO", order.toString());
            int keyId = registry.register("orders-key", "AVRO", key.toString());

            kafka.createTopic("orders", 2);
            for (int i = 0; i < 100; i++) {
                GenericData.Record r = new GenericData.Record(order);
                r.put("id", (long) i);
                r.put("item", "book-" + i);
                r.put("price", new BigDecimal(i + ".99"));
                r.put("placedAt", Instant.parse("2026-11-23T10:00:00Z").plusSeconds(i));
                r.put("giftNote", i % 10 == 0 ? "happy birthday" : null);
                kafka.produce(new org.apache.kafka.clients.producer.ProducerRecord<>("orders", i % 2,
                        wire(keyId, key, "order-" + i), wire(valueId, order, r)));
            }

            // One client for keys and values: each schema id is fetched once.
            SchemaRegistryClient schemas = SchemaRegistryClient.of(registry.url());
            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .name("avro-example")
                    .consumerProperties(kafka.consumerProperties("avro-example"))
                    .topics("orders")
                    .format(AvroFormat.withSchemaRegistry(schemas))
                    .keyFormat(AvroFormat.withSchemaRegistry(schemas))
                    .flushPolicy(FlushPolicy.records(50).or(FlushPolicy.age(Duration.ofMillis(200))))
                    .backend(SnowpipeBackend.builder().account(snowflake.account()).database("DEMO").schema("PUBLIC")
                            .build())
                    .build()) {
                bridge.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (rows(snowflake) < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            }

            System.out.println();
            System.out.println("ksbridge Avro example: " + rows(snowflake) + " rows in DEMO.PUBLIC.ORDERS");
            for (Row row : snowflake.table("DEMO.PUBLIC.ORDERS").rows().subList(0, 2)) {
                System.out.println("  RECORD_CONTENT  = " + row.content());
                System.out.println("  RECORD_METADATA = " + row.metadata());
            }
        }
        System.exit(0);
    }

    private static long rows(SnowflakeEmulator snowflake) {
        return snowflake.tables().names().contains("DEMO.PUBLIC.ORDERS")
                ? snowflake.table("DEMO.PUBLIC.ORDERS").rowCount() : 0;
    }

    /** Confluent's wire format: magic byte 0, the schema id (4 bytes, big-endian), the Avro binary body. */
    static byte[] wire(int schemaId, Schema schema, Object datum) throws IOException {
        GenericData model = new GenericData();
        model.addLogicalTypeConversion(new Conversions.DecimalConversion());
        model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<Object>(schema, model).write(datum, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
