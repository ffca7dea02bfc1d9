package io.ksbridge.testkit.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import io.ksbridge.testkit.emulator.SnowflakeText;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Typed columns on the emulator's Streaming side, written by the SDK's real client: each type's column description
 * is one the SDK builds its Parquet schema from, each value comes back from the blob as the SQL API writes it, and a
 * value that does not fit its column is refused by the SDK's own validation, as against Snowflake.
 */
@KsbridgeTest
class StreamingTypedColumnsTest {
    private static final String TABLE = "DB.PUBLIC.TYPED";
    static SnowflakeEmulator snowflake;
    static SnowflakeStreamingIngestClient client;
    static SnowflakeStreamingIngestChannel channel;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        StreamingService.of(snowflake);
        Properties p = new Properties();
        p.put("url", snowflake.url());
        p.put("user", SnowflakeEmulator.USER);
        p.put("role", SnowflakeEmulator.ROLE);
        p.put("private_key", Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded()));
        client = SnowflakeStreamingIngestClientFactory.builder("TYPED").setProperties(p)
                .setParameterOverrides(Map.of("max_client_lag", 1000L)).build();
        snowflake.tables().create(TABLE, List.of(
                new ColumnDef("ID", "NUMBER(38,0)", false),
                new ColumnDef("SMALL", "NUMBER(4,0)", true),
                new ColumnDef("PRICE", "NUMBER(10,2)", true),
                new ColumnDef("BIG", "NUMBER(38,6)", true),
                new ColumnDef("RATIO", "FLOAT", true),
                new ColumnDef("OK", "BOOLEAN", true),
                new ColumnDef("NAME", "VARCHAR", true),
                new ColumnDef("BORN", "DATE", true),
                new ColumnDef("AT_TIME", "TIME(3)", true),
                new ColumnDef("NTZ", "TIMESTAMP_NTZ(9)", true),
                new ColumnDef("NTZ_MS", "TIMESTAMP_NTZ(3)", true),
                new ColumnDef("LTZ", "TIMESTAMP_LTZ(6)", true),
                new ColumnDef("TZ", "TIMESTAMP_TZ(9)", true),
                new ColumnDef("BYTES", "BINARY", true),
                ColumnDef.variant("DOC")), true);
        channel = client.openChannel(OpenChannelRequest.builder("typed_0").setDBName("DB").setSchemaName("PUBLIC")
                .setTableName("TYPED").setOnErrorOption(OpenChannelRequest.OnErrorOption.CONTINUE).build());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
    }

    @Test
    void insertRows_everyType_readBackAsTheSqlApiWritesIt() throws Exception {
        Map<String, Object> full = new HashMap<>();
        full.put("ID", 1);
        full.put("SMALL", -1234);
        full.put("PRICE", new BigDecimal("12345678.91"));
        full.put("BIG", new BigDecimal("-12345678901234567890123456789012.123456"));
        full.put("RATIO", 0.25);
        full.put("OK", true);
        full.put("NAME", "é ü");
        full.put("BORN", LocalDate.of(1969, 7, 20));
        full.put("AT_TIME", "23:59:58.123");
        full.put("NTZ", LocalDateTime.of(1960, 1, 2, 3, 4, 5, 123_456_789));
        full.put("NTZ_MS", "2024-02-29T12:00:00.007"); // text in the SDK's ISO form
        full.put("LTZ", Instant.parse("2024-02-29T12:00:00.123456Z"));
        full.put("TZ", OffsetDateTime.of(2024, 2, 29, 12, 0, 0, 1, ZoneOffset.ofHoursMinutes(-5, -30)));
        full.put("BYTES", new byte[] {0, 1, (byte) 0xAB, (byte) 0xFF});
        full.put("DOC", "{\"a\":[1,2]}");
        Map<String, Object> sparse = new HashMap<>();
        sparse.put("ID", 2);
        InsertValidationResponse r = channel.insertRows(List.of(full, sparse), "2");
        assertFalse(r.hasErrors(), () -> r.getInsertErrors().get(0).getException().getMessage());
        Await.until("token 2", Duration.ofSeconds(30), () -> "2".equals(channel.getLatestCommittedOffsetToken()));

        List<Row> rows = snowflake.table(TABLE).rows();
        Row row = rows.stream().filter(x -> x.get("ID").asInt() == 1).findFirst().orElseThrow();
        assertEquals(-1234, row.get("SMALL").asInt());
        assertEquals(new BigDecimal("12345678.91"), row.get("PRICE").decimalValue());
        assertEquals(new BigDecimal("-12345678901234567890123456789012.123456"), row.get("BIG").decimalValue());
        assertEquals(0.25, row.get("RATIO").doubleValue());
        assertTrue(row.get("OK").booleanValue());
        assertEquals("é ü", row.get("NAME").asText());
        assertEquals(SnowflakeText.encode("DATE", LocalDate.of(1969, 7, 20)), row.get("BORN").asText());
        assertEquals("-165", row.get("BORN").asText(), "days since 1970, before it too");
        assertEquals(SnowflakeText.encode("TIME", LocalTime.of(23, 59, 58, 123_000_000)), row.get("AT_TIME").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_NTZ", LocalDateTime.of(1960, 1, 2, 3, 4, 5, 123_456_789)),
                row.get("NTZ").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_NTZ", LocalDateTime.of(2024, 2, 29, 12, 0, 0, 7_000_000)),
                row.get("NTZ_MS").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", Instant.parse("2024-02-29T12:00:00.123456Z")),
                row.get("LTZ").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_TZ",
                OffsetDateTime.of(2024, 2, 29, 12, 0, 0, 1, ZoneOffset.ofHoursMinutes(-5, -30))), row.get("TZ").asText());
        assertEquals("0001ABFF", row.get("BYTES").asText());
        assertEquals(2, row.get("DOC").get("a").get(1).asInt());

        Row empty = rows.stream().filter(x -> x.get("ID").asInt() == 2).findFirst().orElseThrow();
        assertNull(empty.get("PRICE"), empty.toString());
        assertNull(empty.get("BORN"), empty.toString());
    }

    @Test
    void insertRows_valuesThatDoNotFitTheirColumn_refusedRowByRowAndTheRestLands() throws Exception {
        List<Map<String, Object>> rows = List.of(
                Map.of("ID", 10, "PRICE", new BigDecimal("123456789.5")), // 9 integer digits in NUMBER(10,2)
                Map.of("ID", 11, "SMALL", 12345), // 5 digits in NUMBER(4,0)
                Map.of("ID", 12, "BORN", "not a date"),
                Map.of("ID", 13, "OK", "maybe"),
                Map.of("ID", 14, "PRICE", new BigDecimal("1.25"), "BORN", "2024-01-31"));
        InsertValidationResponse r = channel.insertRows(rows, "14");
        assertEquals(List.of(0L, 1L, 2L, 3L), r.getInsertErrors().stream().map(e -> e.getRowIndex()).toList(),
                () -> r.getInsertErrors().stream().map(e -> e.getException().getMessage()).toList().toString());
        Await.until("token 14", Duration.ofSeconds(30), () -> "14".equals(channel.getLatestCommittedOffsetToken()));
        List<Row> landed = snowflake.table(TABLE).rows().stream().filter(x -> x.get("ID").asInt() >= 10).toList();
        assertEquals(1, landed.size(), landed.toString());
        assertEquals(new BigDecimal("1.25"), landed.get(0).get("PRICE").decimalValue());
        assertEquals(Long.toString(LocalDate.of(2024, 1, 31).toEpochDay()), landed.get(0).get("BORN").asText());
    }
}
