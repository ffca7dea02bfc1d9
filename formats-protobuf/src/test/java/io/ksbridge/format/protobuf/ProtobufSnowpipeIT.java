package io.ksbridge.format.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ksbridge.FlushPolicy;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.ingest.snowpipe.SnowpipeBackend;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SchemaRegistry;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Protobuf through the registry, a bridge and the Snowpipe backend into the Snowflake emulator's VARIANT columns. */
@KsbridgeTest
class ProtobufSnowpipeIT {

    @Test
    void everyTypeAndWellKnownType_loadedBySnowpipe_variantAsExpected(EmbeddedKafka kafka, SnowflakeEmulator snowflake) throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.start()) {
            int id = ProtoSamples.registerOrder(registry, "orders-value");
            kafka.createTopic("proto_orders", 1);
            kafka.produce(new ProducerRecord<>("proto_orders", 0, 1_700_000_000_000L,
                    ProtoSamples.line("key-sku", 1).toByteArray(),
                    ProtoSamples.wire(id, new int[] {0}, ProtoSamples.order().toByteArray())));

            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .name("proto-snowpipe")
                    .consumerProperties(kafka.consumerProperties("proto-snowpipe"))
                    .topics("proto_orders")
                    .format(ProtobufFormat.withSchemaRegistry(registry.url()))
                    .keyFormat(ProtobufFormat.of(ProtoSamples.LINE_TYPE))
                    .flushPolicy(FlushPolicy.records(1).or(FlushPolicy.age(Duration.ofMillis(100))))
                    .backend(SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("PUBLIC")
                            .build())
                    .build()) {
                bridge.start();
                Await.rows(snowflake, "DB.PUBLIC.PROTO_ORDERS", 1, Duration.ofSeconds(60));
            }

            List<Row> rows = snowflake.table("DB.PUBLIC.PROTO_ORDERS").rows();
            assertEquals(1, rows.size());
            ObjectMapper json = new ObjectMapper();
            assertEquals(json.readTree(ProtoSamples.ORDER_JSON), rows.get(0).content());
            assertEquals(json.readTree("{\"topic\":\"proto_orders\",\"offset\":0,\"partition\":0,\"CreateTime\":"
                    + "1700000000000,\"schema_id\":" + id + ",\"key\":{\"sku\":\"key-sku\",\"qty\":1}}"),
                    rows.get(0).metadata());
        }
    }
}
