package io.ksbridge.format.avro;

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
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Avro through the registry, a bridge and the Snowpipe backend into the Snowflake emulator's VARIANT columns. */
@KsbridgeTest
class AvroSnowpipeIT {

    @Test
    void everyTypeAndLogicalType_loadedBySnowpipe_variantAsExpected(EmbeddedKafka kafka, SnowflakeEmulator snowflake)
            throws Exception {
        try (SchemaRegistry registry = SchemaRegistry.start()) {
            int keyId = registry.register("all-key", "AVRO", "\"string\"");
            int valueId = registry.register("all-value", "AVRO", AvroSamples.ALL_TYPES_SCHEMA);
            kafka.createTopic("all_types", 1);
            kafka.produce(new ProducerRecord<>("all_types", 0, 1_700_000_000_000L,
                    AvroSamples.wire(keyId, AvroSamples.binary(Schema.create(Schema.Type.STRING), "k1")),
                    AvroSamples.wire(valueId, AvroSamples.binary(AvroSamples.allTypesSchema(), AvroSamples.allTypes()))));

            try (KafkaToSnowflakeBridge bridge = KafkaToSnowflakeBridge.builder()
                    .name("avro-snowpipe")
                    .consumerProperties(kafka.consumerProperties("avro-snowpipe"))
                    .topics("all_types")
                    .format(AvroFormat.withSchemaRegistry(registry.url()))
                    .keyFormat(AvroFormat.withSchemaRegistry(registry.url()))
                    .flushPolicy(FlushPolicy.records(1).or(FlushPolicy.age(Duration.ofMillis(100))))
                    .backend(SnowpipeBackend.builder().account(snowflake.account()).database("DB").schema("PUBLIC")
                            .build())
                    .build()) {
                bridge.start();
                Await.rows(snowflake, "DB.PUBLIC.ALL_TYPES", 1, Duration.ofSeconds(60));
            }

            List<Row> rows = snowflake.table("DB.PUBLIC.ALL_TYPES").rows();
            assertEquals(1, rows.size());
            ObjectMapper json = new ObjectMapper();
            assertEquals(json.readTree(AvroSamples.ALL_TYPES_JSON), rows.get(0).content());
            assertEquals(json.readTree("{\"topic\":\"all_types\",\"offset\":0,\"partition\":0,\"CreateTime\":"
                    + "1700000000000,\"schema_id\":" + valueId + ",\"key\":\"k1\",\"key_schema_id\":" + keyId + "}"),
                    rows.get(0).metadata());
        }
    }
}
