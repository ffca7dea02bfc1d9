package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.Zstd;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's Snowpipe REST API over real HTTP, with the shapes the ingest SDK parses. */
@KsbridgeTest
class SnowflakeEmulatorSnowpipeTest {
    private static SnowflakeEmulator emulator;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        emulator = sharedSnowflake;
        SqlApiClient sql = SqlApiClient.create(emulator.account());
        sql.execute("CREATE TABLE IF NOT EXISTS DB.S.T (RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT)");
        sql.execute("CREATE STAGE IF NOT EXISTS DB.S.ST");
        sql.execute("CREATE PIPE IF NOT EXISTS DB.S.P AS COPY INTO DB.S.T(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT"
                + " $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @DB.S.ST t) FILE_FORMAT = (TYPE = 'JSON')");
        sql.execute("CREATE TABLE IF NOT EXISTS DB.S.TD (RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT)");
        sql.execute("CREATE STAGE IF NOT EXISTS DB.S.STD");
        sql.execute("CREATE PIPE IF NOT EXISTS DB.S.PD AS COPY INTO DB.S.TD(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT"
                + " $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @DB.S.STD t) FILE_FORMAT = (TYPE = 'JSON' ALLOW_DUPLICATE = TRUE)");
    }

    private static JsonNode call(String method, String pathAndQuery, String body) throws Exception {
        HttpResponse<String> r = raw(method, pathAndQuery, body, emulator.account().jwt().reveal());
        assertEquals(200, r.statusCode(), r.body());
        return HttpJson.MAPPER.readTree(r.body());
    }

    private static HttpResponse<String> raw(String method, String pathAndQuery, String body, String jwt) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.url() + pathAndQuery))
                .header("Authorization", "Bearer " + jwt).header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
        b = "POST".equals(method) ? b.POST(HttpRequest.BodyPublishers.ofString(body)) : b.GET();
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static void awaitStatus(String path, String status) throws Exception {
        awaitStatus("DB.S.P", path, status);
    }

    private static void awaitStatus(String pipe, String path, String status) throws Exception {
        Await.until(Duration.ofSeconds(10), () -> emulator.loadHistory(pipe).stream()
                .anyMatch(l -> l.path().equals(path) && l.status().equals(status)),
                () -> path + " to reach " + status + ": " + emulator.loadHistory(pipe));
    }

    @Test
    void insertFiles_gzipAndZstdFiles_loadOnceEvenWhenSubmittedAgain() throws Exception {
        emulator.stages().write("DB.S.ST", "a/1.json.gz", gzip("{\"RECORD_CONTENT\":{\"id\":1},\"RECORD_METADATA\":{\"offset\":0}}\n"
                + "{\"RECORD_CONTENT\":{\"id\":2},\"RECORD_METADATA\":{\"offset\":1}}\n"));
        emulator.stages().write("DB.S.ST", "a/2.json.zst", Zstd.compress(
                "{\"RECORD_CONTENT\":{\"id\":3}}\n".getBytes(StandardCharsets.UTF_8)));
        JsonNode accepted = call("POST", "/v1/data/pipes/db.s.p/insertFiles?requestId=r1",
                "{\"files\":[{\"path\":\"a/1.json.gz\",\"size\":10},{\"path\":\"a/2.json.zst\"}]}");
        assertEquals("SUCCESS", accepted.get("responseCode").asText());
        assertEquals("r1", accepted.get("requestId").asText());
        awaitStatus("a/1.json.gz", "LOADED");
        awaitStatus("a/2.json.zst", "LOADED");
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r2", "{\"files\":[{\"path\":\"a/1.json.gz\"}]}");
        emulator.awaitIdle(Duration.ofSeconds(10)); // a second load of the file, had it been queued, has run now
        List<Integer> ids = emulator.table("DB.S.T").rows().stream().map(r -> r.content().get("id").asInt()).sorted().toList();
        assertTrue(ids.containsAll(List.of(1, 2, 3)) && ids.stream().filter(i -> i <= 3).count() == 3, ids.toString());
        assertEquals(null, emulator.table("DB.S.T").rows().stream().filter(r -> r.content().get("id").asInt() == 3)
                .findFirst().get().metadata(), "a line without RECORD_METADATA leaves the column NULL");
        assertEquals(1, emulator.table("DB.S.T").rows().stream().filter(r -> r.content().get("id").asInt() == 2)
                .findFirst().get().metadata().get("offset").asInt());

        JsonNode report = call("GET", "/v1/data/pipes/DB.S.P/insertReport?requestId=r3", null);
        assertEquals("DB.S.P", report.get("pipe").asText());
        JsonNode entry = null;
        for (JsonNode f : report.get("files")) {
            if (f.get("path").asText().equals("a/1.json.gz")) {
                entry = f;
            }
        }
        assertEquals("LOADED", entry.get("status").asText());
        assertEquals(2, entry.get("rowsInserted").asInt());
        assertTrue(entry.get("complete").asBoolean());
        assertTrue(entry.get("lastInsertTime").asText().endsWith("Z"));
        JsonNode next = call("GET", "/v1/data/pipes/DB.S.P/insertReport?requestId=r4&beginMark="
                + report.get("nextBeginMark").asText(), null);
        assertEquals(0, next.get("files").size(), "nothing new after the begin mark");

        JsonNode scan = call("GET", "/v1/data/pipes/DB.S.P/loadHistoryScan?requestId=r5&startTimeInclusive=2020-01-01T00:00:00Z"
                + "&endTimeExclusive=2100-01-01T00:00:00Z", null);
        assertTrue(scan.get("files").size() >= 2);
    }

    @Test
    void insertFiles_malformedLine_loadFailedWithFirstErrorAndNothingInserted() throws Exception {
        int before = emulator.table("DB.S.T").rowCount();
        emulator.stages().write("DB.S.ST", "bad/1.json.gz", gzip("{\"RECORD_CONTENT\":{\"id\":100}}\n{\"RECORD_CONTENT\": nope}\n"));
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r6", "{\"files\":[{\"path\":\"bad/1.json.gz\"}]}");
        awaitStatus("bad/1.json.gz", "LOAD_FAILED");
        SnowflakeLoad load = emulator.loadHistory("DB.S.P").stream().filter(l -> l.path().equals("bad/1.json.gz")).findFirst().get();
        assertTrue(load.firstError().startsWith("Error parsing JSON: Unrecognized token 'nope'"), load.firstError());
        assertEquals(before, emulator.table("DB.S.T").rowCount());
    }

    @Test
    void insertFiles_duplicateKey_failsTheFileByDefault_lastValueWinsWithAllowDuplicate() throws Exception {
        String lines = "{\"RECORD_CONTENT\":{\"id\":200},\"RECORD_METADATA\":{\"offset\":0}}\n"
                + "{\"RECORD_CONTENT\":{\"id\":201,\"id\":202},\"RECORD_METADATA\":{\"offset\":1}}\n";
        int before = emulator.table("DB.S.T").rowCount();
        emulator.stages().write("DB.S.ST", "dup/1.json.gz", gzip(lines));
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r9", "{\"files\":[{\"path\":\"dup/1.json.gz\"}]}");
        awaitStatus("DB.S.P", "dup/1.json.gz", "LOAD_FAILED");
        SnowflakeLoad load = emulator.loadHistory("DB.S.P").stream().filter(l -> l.path().equals("dup/1.json.gz")).findFirst().get();
        assertTrue(load.firstError().contains("Duplicate field 'id'"), load.firstError());
        assertEquals(before, emulator.table("DB.S.T").rowCount(), "the whole file failed");

        emulator.stages().write("DB.S.STD", "dup/1.json.gz", gzip(lines));
        call("POST", "/v1/data/pipes/DB.S.PD/insertFiles?requestId=r10", "{\"files\":[{\"path\":\"dup/1.json.gz\"}]}");
        awaitStatus("DB.S.PD", "dup/1.json.gz", "LOADED");
        List<Row> rows = emulator.table("DB.S.TD").rows();
        assertEquals(2, rows.size(), "ALLOW_DUPLICATE = TRUE loads both rows: " + emulator.loadHistory("DB.S.PD"));
        assertTrue(rows.stream().anyMatch(r -> r.get("RECORD_CONTENT").path("id").asInt() == 202), "the last value wins: " + rows);
    }

    private static SnowflakeLoad loadOf(String path) {
        return emulator.loadHistory("DB.S.P").stream().filter(l -> l.path().equals(path)).findFirst().get();
    }

    /** A line whose RECORD_CONTENT nests {@code levels} arrays: the line itself is one level deeper. */
    private static String lineWithContentDepth(int id, int levels) {
        return "{\"RECORD_METADATA\":{\"offset\":" + id + "},\"RECORD_CONTENT\":{\"id\":" + id + ",\"deep\":"
                + "[".repeat(levels - 1) + "]".repeat(levels - 1) + "}}\n";
    }

    @Test
    void insertFiles_lineNestedAtSnowflakesLimit_loadsAndOneLevelDeeperFailsTheFile() throws Exception {
        assertEquals(1000, VariantJson.MAX_DEPTH);
        int before = emulator.table("DB.S.T").rowCount();
        // content 999 levels + the line's wrapper = 1000: loads
        emulator.stages().write("DB.S.ST", "depth/ok.json.gz", gzip(lineWithContentDepth(300, 999)));
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r11", "{\"files\":[{\"path\":\"depth/ok.json.gz\"}]}");
        awaitStatus("depth/ok.json.gz", "LOADED");
        assertEquals(before + 1, emulator.table("DB.S.T").rowCount());
        // content 1000 levels + the wrapper = 1001: the whole file fails, its good line with it
        emulator.stages().write("DB.S.ST", "depth/deep.json.gz", gzip("{\"RECORD_CONTENT\":{\"id\":301}}\n"
                + lineWithContentDepth(302, 1000)));
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r12", "{\"files\":[{\"path\":\"depth/deep.json.gz\"}]}");
        awaitStatus("depth/deep.json.gz", "LOAD_FAILED");
        SnowflakeLoad load = loadOf("depth/deep.json.gz");
        assertTrue(load.firstError().startsWith("Error parsing JSON:") && load.firstError().contains("1000"), load.firstError());
        assertEquals(before + 1, emulator.table("DB.S.T").rowCount());
    }

    @Test
    void insertFiles_loneSurrogateEscape_failsTheFileAsInvalidUtf8() throws Exception {
        int before = emulator.table("DB.S.T").rowCount();
        emulator.stages().write("DB.S.ST", "sur/1.json.gz", gzip("{\"RECORD_CONTENT\":{\"id\":400,\"s\":\"\\uD83D\\uDE00\"}}\n"
                + "{\"RECORD_CONTENT\":{\"id\":401,\"s\":\"a\\ud800b\"}}\n"));
        call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r13", "{\"files\":[{\"path\":\"sur/1.json.gz\"}]}");
        awaitStatus("sur/1.json.gz", "LOAD_FAILED");
        SnowflakeLoad load = loadOf("sur/1.json.gz");
        assertTrue(load.firstError().contains("Invalid UTF8"), load.firstError());
        assertEquals(before, emulator.table("DB.S.T").rowCount());
    }

    @Test
    void insertFiles_tablesThatOnlyCount_countNonEmptyLinesOfGzipAndZstdFiles() throws Exception {
        try (SnowflakeEmulator counting = SnowflakeEmulator.start()) {
            counting.tables().retainRows(false);
            SqlApiClient sql = SqlApiClient.create(counting.account());
            sql.execute("CREATE TABLE IF NOT EXISTS DB.S.C (RECORD_METADATA VARIANT, RECORD_CONTENT VARIANT)");
            sql.execute("CREATE STAGE IF NOT EXISTS DB.S.SC");
            sql.execute("CREATE PIPE IF NOT EXISTS DB.S.PC AS COPY INTO DB.S.C(RECORD_METADATA, RECORD_CONTENT) FROM (SELECT"
                    + " $1:RECORD_METADATA, $1:RECORD_CONTENT FROM @DB.S.SC t) FILE_FORMAT = (TYPE = 'JSON')");
            counting.stages().write("DB.S.SC", "1.json.gz", gzip("{\"RECORD_CONTENT\":1}\r\n\n{\"RECORD_CONTENT\":2}\n\r\n"
                    + "{\"RECORD_CONTENT\":3}\n"));
            counting.stages().write("DB.S.SC", "2.json.zst", Zstd.compress(("{\"RECORD_CONTENT\":4}\n{\"RECORD_CONTENT\":5}")
                    .getBytes(StandardCharsets.UTF_8)));
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(counting.url()
                            + "/v1/data/pipes/DB.S.PC/insertFiles?requestId=c1"))
                    .header("Authorization", "Bearer " + counting.account().jwt().reveal())
                    .header("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"files\":[{\"path\":\"1.json.gz\"},{\"path\":\"2.json.zst\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            counting.awaitIdle(Duration.ofSeconds(10));
            assertEquals(List.of("LOADED", "LOADED"), counting.loadHistory("DB.S.PC").stream().map(SnowflakeLoad::status)
                    .toList());
            assertEquals(5, counting.table("DB.S.C").rowCount(), "blank lines and CRLF endings are not rows");
            assertTrue(counting.table("DB.S.C").rows().isEmpty(), "rows are counted, not kept");
            assertEquals(5, counting.loadHistory("DB.S.PC").stream().mapToLong(SnowflakeLoad::rowsInserted).sum());
        }
    }

    @Test
    void holdLoads_filesStayInProgressAndTheEmulatorBusyUntilReleased() throws Exception {
        emulator.awaitIdle(Duration.ofSeconds(10));
        assertTrue(emulator.isIdle(), "nothing pending: " + emulator.pendingWork());
        int before = emulator.table("DB.S.T").rowCount();
        emulator.faults().holdLoads(true);
        try {
            emulator.stages().write("DB.S.ST", "held/1.json.gz", gzip("{\"RECORD_CONTENT\":{\"id\":500}}\n"));
            call("POST", "/v1/data/pipes/DB.S.P/insertFiles?requestId=r7", "{\"files\":[{\"path\":\"held/1.json.gz\"}]}");
            // insertFiles has answered: the file is pending, so the emulator is busy at once
            assertFalse(emulator.isIdle(), "a held load is pending work");
            // (the insertFiles request itself may still be listed for a moment: its answer is sent before it ends)
            assertTrue(emulator.pendingWork().contains("Snowpipe: 1 file(s) of pipe DB.S.P not loaded yet (loads are held:"
                    + " faults().holdLoads(true)): held/1.json.gz"), emulator.pendingWork().toString());
            assertEquals("LOAD_IN_PROGRESS", loadOf("held/1.json.gz").status());
            AssertionError busy = assertThrows(AssertionError.class, () -> emulator.awaitIdle(Duration.ofMillis(200)));
            assertEquals("timed out after PT0.2S waiting for the Snowflake emulator to be idle; still pending: Snowpipe: 1"
                    + " file(s) of pipe DB.S.P not loaded yet (loads are held: faults().holdLoads(true)): held/1.json.gz",
                    busy.getMessage());
            assertEquals(before, emulator.table("DB.S.T").rowCount());
        } finally {
            emulator.faults().holdLoads(false);
        }
        emulator.awaitIdle(Duration.ofSeconds(10));
        // idle means loaded: no further wait
        assertEquals("LOADED", loadOf("held/1.json.gz").status());
        assertEquals(before + 1, emulator.table("DB.S.T").rowCount());
        assertTrue(emulator.isIdle());
    }

    @Test
    void holdRequests_aRequestBeingHandled_keepsTheEmulatorBusyNamingIt() throws Exception {
        emulator.awaitIdle(Duration.ofSeconds(10));
        long heldBefore = emulator.faults().heldRequests();
        emulator.faults().holdRequests("/v1/data/pipes/DB.S.P/insertReport");
        java.util.concurrent.CompletableFuture<JsonNode> report;
        try {
            report = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return call("GET", "/v1/data/pipes/DB.S.P/insertReport?requestId=h1", null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Await.until(Duration.ofSeconds(10), () -> emulator.faults().heldRequests() > heldBefore, () -> "the request held");
            assertEquals(List.of("request in flight: GET /v1/data/pipes/DB.S.P/insertReport"), emulator.pendingWork());
            assertFalse(emulator.isIdle());
            assertFalse(report.isDone(), "a held request is not answered");
        } finally {
            emulator.faults().releaseRequests();
        }
        assertEquals("DB.S.P", report.get(10, java.util.concurrent.TimeUnit.SECONDS).get("pipe").asText());
        emulator.awaitIdle(Duration.ofSeconds(10));
        assertEquals(List.of(), emulator.pendingWork());
    }

    @Test
    void snowpipe_unknownPipeOrBadToken_404And401WithSnowflakesBody() throws Exception {
        HttpResponse<String> missing = raw("POST", "/v1/data/pipes/DB.S.NOPE/insertFiles?requestId=x", "{\"files\":[]}",
                emulator.account().jwt().reveal());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("\"code\":\"390404\""), missing.body());
        HttpResponse<String> refused = raw("GET", "/v1/data/pipes/DB.S.P/insertReport", null, "not.a.jwt");
        assertEquals(401, refused.statusCode());
        JsonNode body = HttpJson.MAPPER.readTree(refused.body());
        assertEquals("390144", body.get("code").asText());
        assertEquals(false, body.get("success").asBoolean());
        assertTrue(body.get("message").asText().startsWith("JWT token is invalid."));
    }
}
