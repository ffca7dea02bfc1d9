package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Pipes with {@code COPY ... MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE}: typed columns loaded by key, misfits refused. */
@KsbridgeTest
class SnowflakeEmulatorMatchByNameTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static void submit(SnowflakeEmulator emulator, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                        + "/v1/data/pipes/DB.MBN.P/insertFiles?requestId=" + path.replace('/', '_')))
                .header("Authorization", "Bearer " + emulator.account().jwt().reveal())
                .header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT")
                .POST(HttpRequest.BodyPublishers.ofString("{\"files\":[{\"path\":\"" + path + "\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    private static SnowflakeLoad await(SnowflakeEmulator emulator, String path) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> emulator.loadHistory("DB.MBN.P").stream()
                .anyMatch(l -> l.path().equals(path) && !l.status().equals("LOAD_IN_PROGRESS")),
                () -> path + " to finish: " + emulator.loadHistory("DB.MBN.P"));
        return emulator.loadHistory("DB.MBN.P").stream().filter(l -> l.path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void copyMatchByColumnName_loadsTypedValues_andFailsAFileWithAMisfitNamingTheColumn(SnowflakeEmulator emulator)
            throws Exception {
        SqlApiClient sql = SqlApiClient.create(emulator.account());
        sql.execute("CREATE TABLE IF NOT EXISTS DB.MBN.T (RECORD_METADATA VARIANT, AMOUNT NUMBER(10,2), DAY DATE,"
                + " AT TIMESTAMP_LTZ(3), NOTE VARCHAR)");
        sql.execute("CREATE STAGE IF NOT EXISTS DB.MBN.ST");
        sql.execute("CREATE PIPE IF NOT EXISTS DB.MBN.P AS COPY INTO DB.MBN.T FROM @DB.MBN.ST"
                + " MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE FILE_FORMAT = (TYPE = 'JSON')");
        emulator.stages().write("DB.MBN.ST", "ok.json", ("{\"RECORD_METADATA\":{\"offset\":0},\"amount\":12.5,"
                + "\"DAY\":\"2024-02-29\",\"At\":\"2024-02-29T12:00:00.123Z\",\"NOTE\":\"n\",\"other\":1}\n")
                .getBytes(StandardCharsets.UTF_8));
        submit(emulator, "ok.json");
        SnowflakeLoad ok = await(emulator, "ok.json");
        assertEquals("LOADED", ok.status(), String.valueOf(ok.firstError()));
        Row row = emulator.table("DB.MBN.T").rows().get(0);
        assertEquals(new BigDecimal("12.50"), row.get("AMOUNT").decimalValue());
        assertEquals(SnowflakeText.encode("DATE", java.time.LocalDate.of(2024, 2, 29)), row.get("DAY").asText());
        assertEquals(SnowflakeText.encode("TIMESTAMP_LTZ", java.time.Instant.parse("2024-02-29T12:00:00.123Z")),
                row.get("AT").asText());
        assertEquals(0, row.get("RECORD_METADATA").get("offset").asInt());

        emulator.stages().write("DB.MBN.ST", "bad.json", ("{\"AMOUNT\":1}\n{\"AMOUNT\":\"twelve\"}\n")
                .getBytes(StandardCharsets.UTF_8));
        submit(emulator, "bad.json");
        SnowflakeLoad bad = await(emulator, "bad.json");
        assertEquals("LOAD_FAILED", bad.status());
        assertTrue(bad.firstError().contains("AMOUNT") && bad.firstError().contains("NUMBER(10,2)"), bad.firstError());
        assertEquals(2L, bad.firstErrorLine());
        assertEquals(1, emulator.table("DB.MBN.T").rowCount(), "SKIP_FILE: no row of the failed file is loaded");
    }
}
