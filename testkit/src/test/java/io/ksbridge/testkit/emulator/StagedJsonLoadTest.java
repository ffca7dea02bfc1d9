package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Staged files are read as Snowflake's JSON file format reads them: a stream of values, one row each, whatever
 * separates them; a value that does not parse fails the file with its position, and no row of it lands.
 */
class StagedJsonLoadTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger FILES = new AtomicInteger();
    private static SnowflakeEmulator emulator;

    @BeforeAll
    static void start() {
        emulator = SnowflakeEmulator.start();
        SqlApiClient sql = SqlApiClient.create(emulator.account());
        // the Snowflake Kafka connector's objects, as it creates them (its pipe reads $1:meta and $1:content)
        sql.execute("create table if not exists DB.PUBLIC.ORDERS (record_metadata variant, record_content variant)");
        sql.execute("create stage if not exists DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_STAGE_ORDERS");
        sql.execute("create pipe if not exists DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_PIPE_ORDERS_0 as copy into"
                + " DB.PUBLIC.ORDERS(RECORD_METADATA, RECORD_CONTENT) from (select $1:meta, $1:content from"
                + " @DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_STAGE_ORDERS t) file_format = (type = 'json')");
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static String record(int id) {
        return "{\"content\":{\"id\":" + id + ",\"note\":\"}{ \\\"not a boundary\\\"\"},\"meta\":{\"offset\":" + id
                + ",\"topic\":\"orders\",\"partition\":0}}";
    }

    private static String records(int from, int to, String separator) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                sb.append(separator);
            }
            sb.append(record(i));
        }
        return sb.toString();
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** Stages the bytes under the connector's path and file name layout, submits them, and waits for the outcome. */
    private static SnowflakeLoad load(byte[] bytes, String extension) throws Exception {
        int n = FILES.incrementAndGet();
        String path = "sf/ORDERS/0/" + (n * 1000) + "_" + (n * 1000 + 99) + "_1764633600000" + extension;
        emulator.stages().write("DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_STAGE_ORDERS", path, bytes);
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.url()
                        + "/v1/data/pipes/DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_PIPE_ORDERS_0/insertFiles?requestId=r" + n))
                .header("Authorization", "Bearer " + emulator.account().jwt().reveal())
                .POST(HttpRequest.BodyPublishers.ofString("{\"files\":[{\"path\":\"" + path + "\"}]}")).build();
        HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        Await.until(Duration.ofSeconds(10), () -> settled(path).isPresent(), () -> path + " settles");
        return settled(path).get();
    }

    private static Optional<SnowflakeLoad> settled(String path) {
        return emulator.loadHistory("DB.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_SF_PIPE_ORDERS_0").stream()
                .filter(l -> l.path().equals(path) && !"LOAD_IN_PROGRESS".equals(l.status())).findFirst();
    }

    private static List<Integer> idsFrom(int from, int to) {
        return emulator.table("DB.PUBLIC.ORDERS").rows().stream().map(r -> r.content().get("id").asInt())
                .filter(id -> id >= from && id < to).sorted().toList();
    }

    private static List<Integer> range(int from, int to) {
        return java.util.stream.IntStream.range(from, to).boxed().toList();
    }

    @Test
    void load_connectorsLayoutObjectsBackToBackGzipped_everyRowLands() throws Exception {
        SnowflakeLoad load = load(gzip(records(0, 100, "")), ".json.gz");
        assertEquals("LOADED", load.status(), load.toString());
        assertEquals(100, load.rowsInserted());
        assertEquals(range(0, 100), idsFrom(0, 100));
        var row = emulator.table("DB.PUBLIC.ORDERS").rows().stream().filter(r -> r.content().get("id").asInt() == 42)
                .findFirst().orElseThrow();
        assertEquals(42, row.metadata().get("offset").asInt(), "$1:meta went to RECORD_METADATA");
        assertEquals("}{ \"not a boundary\"", row.content().get("note").asText());
    }

    @Test
    void load_separatorsAndCompressions_allReadAsAStreamOfValues() throws Exception {
        String[][] layouts = {
            {"\n", ""}, {"\n", "\n"}, {"\r\n", "\r\n"}, {" \t", ""}, {"", "\n"}, {"\n\n\n", "\n\n"},
        };
        int base = 1_000;
        for (String[] layout : layouts) {
            for (String compression : List.of("none", "gzip", "zstd")) {
                String text = records(base, base + 10, layout[0]) + layout[1];
                byte[] bytes = compression.equals("gzip") ? gzip(text) : compression.equals("zstd")
                        ? Zstd.compress(text.getBytes(StandardCharsets.UTF_8)) : text.getBytes(StandardCharsets.UTF_8);
                String extension = compression.equals("gzip") ? ".json.gz" : compression.equals("zstd") ? ".json.zst" : ".json";
                SnowflakeLoad load = load(bytes, extension);
                String what = compression + " with separator " + layout[0].replace("\n", "\\n").replace("\r", "\\r")
                        + " and end " + layout[1].replace("\n", "\\n").replace("\r", "\\r");
                assertEquals("LOADED", load.status(), what + ": " + load);
                assertEquals(10, load.rowsInserted(), what);
                assertEquals(range(base, base + 10), idsFrom(base, base + 10), what);
                base += 10;
            }
        }
    }

    @Test
    void load_aValueThatDoesNotParse_failsTheFileWithItsPositionAndNoRowOfItLands() throws Exception {
        // line 1: two good values; line 2: a good value, then a broken one at character 'broken'
        String good = records(5_000, 5_002, "");
        String third = record(5_002);
        String text = good + "\n" + third + "{\"content\":{\"id\":5003,}}\n" + record(5_004);
        SnowflakeLoad load = load(gzip(text), ".json.gz");
        assertEquals("LOAD_FAILED", load.status(), load.toString());
        assertEquals(0, load.rowsInserted());
        assertTrue(load.firstError().startsWith("Error parsing JSON: "), load.firstError());
        assertEquals(2L, load.firstErrorLine(), load.toString());
        long column = third.length() + "{\"content\":{\"id\":5003,".length() + 1;
        assertEquals(column, load.firstErrorCharacter(), load.toString());
        assertEquals(List.of(), idsFrom(5_000, 5_005), "a failed file loads nothing (ON_ERROR = SKIP_FILE)");
    }

    @Test
    void load_fileCutOffInsideAValue_failsRatherThanDroppingTheTail() throws Exception {
        String text = records(6_000, 6_003, "");
        SnowflakeLoad load = load(text.substring(0, text.length() - 5).getBytes(StandardCharsets.UTF_8), ".json");
        assertEquals("LOAD_FAILED", load.status(), load.toString());
        assertEquals(1L, load.firstErrorLine());
        assertEquals(List.of(), idsFrom(6_000, 6_003));
    }

    @Test
    void countValues_backToBackAndScalars_countsEveryTopLevelValue() throws Exception {
        assertEquals(3, SnowpipeService.countValues(records(0, 3, "").getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, SnowpipeService.countValues(gzip(records(0, 3, "\n") + "\n")));
        assertEquals(4, SnowpipeService.countValues("[1,{\"a\":\"]\"}] \"x\\\"y\" 12 true".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, SnowpipeService.countValues(" \n\r\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** Strings with escaped quotes, backslashes and brackets, at every alignment and across the 64 KiB read chunks. */
    @Test
    void countValues_longStringsWithEscapesAndBrackets_countsEachValueOnce() throws Exception {
        StringBuilder text = new StringBuilder();
        java.util.Random random = new java.util.Random(7);
        int count = 0;
        while (text.length() < 600_000) {
            StringBuilder str = new StringBuilder();
            int len = random.nextInt(300);
            for (int k = 0; k < len; k++) {
                switch (random.nextInt(12)) {
                    case 0 -> str.append("\\\"");
                    case 1 -> str.append("\\\\");
                    case 2 -> str.append("]}");
                    case 3 -> str.append("{[");
                    case 4 -> str.append('\u00e9');
                    default -> str.append((char) ('a' + random.nextInt(26)));
                }
            }
            text.append("{\"s\":\"").append(str).append("\",\"a\":[1,{\"t\":\"").append(str).append("\"}]}");
            if (random.nextBoolean()) {
                text.append('\n');
            }
            count++;
        }
        text.append(" \"tail \\\" ]\" 7");
        assertEquals(count + 2, SnowpipeService.countValues(text.toString().getBytes(StandardCharsets.UTF_8)));
        assertEquals(count + 2, SnowpipeService.countValues(gzip(text.toString())));
    }

    @Test
    void load_tableThatOnlyCounts_countsBackToBackObjects() throws Exception {
        SqlApiClient sql = SqlApiClient.create(emulator.account());
        sql.execute("create table if not exists DB.COUNTING.T (record_metadata variant, record_content variant)");
        sql.execute("create stage if not exists DB.COUNTING.ST");
        sql.execute("create pipe if not exists DB.COUNTING.P as copy into DB.COUNTING.T(RECORD_METADATA, RECORD_CONTENT)"
                + " from (select $1:meta, $1:content from @DB.COUNTING.ST t) file_format = (type = 'json')");
        EmulatedTable table = emulator.table("DB.COUNTING.T");
        table.retainRows(false);
        emulator.stages().write("DB.COUNTING.ST", "f.json.gz", gzip(records(0, 25, "")));
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.url()
                        + "/v1/data/pipes/DB.COUNTING.P/insertFiles?requestId=c1"))
                .header("Authorization", "Bearer " + emulator.account().jwt().reveal())
                .POST(HttpRequest.BodyPublishers.ofString("{\"files\":[{\"path\":\"f.json.gz\"}]}")).build();
        assertEquals(200, HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        Await.until(Duration.ofSeconds(10), () -> emulator.loadHistory("DB.COUNTING.P").stream()
                .anyMatch(l -> "LOADED".equals(l.status())), () -> "the counted load");
        assertEquals(25, table.rowCount());
        assertNull(emulator.loadHistory("DB.COUNTING.P").get(0).firstError());
    }
}
