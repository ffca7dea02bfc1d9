package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.utils.ErrorCode;
import net.snowflake.ingest.utils.SFException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RowRepairTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"id\":\"dup\",\"a\":1,\"a\":2}|{\"id\":\"dup\",\"a\":2}",
        "{\"a\":{\"b\":1,\"b\":[1,{\"c\":1,\"c\":null}]}}|{\"a\":{\"b\":[1,{\"c\":null}]}}",
        "[{\"x\":1,\"x\":true},{\"y\":\"s\",\"y\":\"t\"}]|[{\"x\":true},{\"y\":\"t\"}]",
        "{\"n\":1,\"big\":123456789012345678901234567890.10,\"e\":1E400,\"n\":-0.0}|{\"n\":-0.0,\"big\":123456789012345678901234567890.10,\"e\":1E400}",
        "{\"k\":\"\u00e9\\u0000\\\"\uD83D\uDE00\",\"k\":\"\u65e5\\n\"}|{\"k\":\"\u65e5\\n\"}",
        "{\"a\":1,\"b\":2,\"a\":{}}|{\"a\":{},\"b\":2}",
    })
    void lastValueWins_repeatedKey_lastValueAtAnyDepthNumbersKeepTheirText(String in, String expected) {
        assertEquals(expected, RowRepair.lastValueWins(in));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\":1,\"b\":{\"a\":2}}", "[{\"a\":1},{\"a\":2}]", "{}", "1", "\"a\"", "not json", "{\"a\":1} 2", ""})
    void lastValueWins_nothingRepeatedOrNotJson_null(String in) {
        assertNull(RowRepair.lastValueWins(in));
    }

    @Test
    void repair_onlyTheJsonColumnsThatRepeatAKey_otherColumnsUntouched() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("RECORD_CONTENT", "{\"a\":1,\"a\":2}");
        row.put("RECORD_METADATA", "{\"offset\":3}");
        row.put("OTHER", "{\"a\":1,\"a\":2}");
        Map<String, Object> repaired = RowRepair.repair(row);
        assertEquals("{\"a\":2}", repaired.get("RECORD_CONTENT"));
        assertEquals("{\"offset\":3}", repaired.get("RECORD_METADATA"));
        assertEquals("{\"a\":1,\"a\":2}", repaired.get("OTHER"));
        assertEquals("{\"a\":1,\"a\":2}", row.get("RECORD_CONTENT"), "the batch's own row is not changed");
        assertNull(RowRepair.repair(Map.of("RECORD_CONTENT", "{\"a\":1}")));
    }

    /** Plays the SDK's insertRows: refuses a repeated key or the text "bad", by CONTINUE or SKIP_BATCH rules. */
    private static final class FakeSdk {
        final boolean skipBatch;
        final List<Map<String, Object>> buffered = new ArrayList<>();
        final List<String> tokens = new ArrayList<>();
        final List<Integer> callSizes = new ArrayList<>();

        FakeSdk(boolean skipBatch) {
            this.skipBatch = skipBatch;
        }

        @SuppressWarnings("unchecked")
        SnowflakeStreamingIngestChannel channel() {
            return (SnowflakeStreamingIngestChannel) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {SnowflakeStreamingIngestChannel.class}, (proxy, method, args) -> {
                        if (method.getName().equals("insertRows") && args.length == 2) {
                            return insert((Iterable<Map<String, Object>>) args[0], (String) args[1]);
                        }
                        throw new UnsupportedOperationException(method.getName());
                    });
        }

        private InsertValidationResponse insert(Iterable<Map<String, Object>> rows, String token) {
            InsertValidationResponse response = new InsertValidationResponse();
            List<Map<String, Object>> ok = new ArrayList<>();
            int index = 0;
            for (Map<String, Object> row : rows) {
                String content = (String) row.get("RECORD_CONTENT");
                String reason = content.contains("bad") ? "Not a valid JSON" : repeats(content) ? "Not a valid JSON: duplicate field a" : null;
                if (reason != null) {
                    InsertValidationResponse.InsertError error = new InsertValidationResponse.InsertError(row, index);
                    error.setException(new SFException(ErrorCode.INVALID_VALUE_ROW, reason));
                    response.addError(error);
                } else {
                    ok.add(row);
                }
                index++;
            }
            callSizes.add(index);
            if (!skipBatch || !response.hasErrors()) {
                buffered.addAll(ok);
                tokens.add(token);
            }
            return response;
        }

        private static boolean repeats(String json) {
            try (JsonParser p = STRICT.createParser(json)) {
                while (p.nextToken() != null) {
                    p.skipChildren();
                }
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        List<Integer> bufferedIds() {
            List<Integer> ids = new ArrayList<>();
            for (Map<String, Object> r : buffered) {
                try {
                    ids.add(JSON.readTree((String) r.get("RECORD_CONTENT")).get("id").asInt());
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
            return ids;
        }
    }

    private static List<Map<String, Object>> rows(String... contents) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String c : contents) {
            rows.add(Map.of("RECORD_CONTENT", c, "RECORD_METADATA", "{}"));
        }
        return rows;
    }

    private static List<Long> errorIndexes(InsertValidationResponse r) {
        return r.getInsertErrors().stream().map(InsertValidationResponse.InsertError::getRowIndex).toList();
    }

    @Test
    void insertRows_noRefusal_oneCallOnly() {
        FakeSdk sdk = new FakeSdk(false);
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), rows("{\"id\":1}", "{\"id\":2}"), "9", false);
        assertFalse(r.hasErrors());
        assertEquals(List.of(2), sdk.callSizes);
    }

    @Test
    void insertRows_continue_repairedRowsInASecondCallWithTheSameTokenOtherRefusalsKeptByIndex() throws Exception {
        FakeSdk sdk = new FakeSdk(false);
        List<Map<String, Object>> batch = rows("{\"id\":1}", "{\"id\":2,\"a\":1,\"a\":2}", "{\"id\":3,\"bad\":1}",
                "{\"id\":4,\"n\":{\"a\":1,\"a\":{\"x\":5}}}", "{\"id\":5}");
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), batch, "41", false);
        assertEquals(List.of(5, 2), sdk.callSizes, "the batch, then only the two repaired rows");
        assertEquals(List.of("41", "41"), sdk.tokens);
        assertEquals(List.of(1, 5, 2, 4), sdk.bufferedIds());
        assertEquals(2, JSON.readTree((String) sdk.buffered.get(2).get("RECORD_CONTENT")).get("a").asInt());
        assertEquals(5, JSON.readTree((String) sdk.buffered.get(3).get("RECORD_CONTENT")).at("/n/a/x").asInt());
        assertEquals(List.of(2L), errorIndexes(r), "only the row refused for another reason, by its index in the batch");
    }

    @Test
    void insertRows_continueRepairedRowRefusedAgain_reportedAtItsIndexInTheBatch() {
        FakeSdk sdk = new FakeSdk(false);
        List<Map<String, Object>> batch = rows("{\"id\":1,\"bad\":0}", "{\"id\":2}", "{\"id\":3,\"a\":1,\"a\":\"bad\"}");
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), batch, "7", false);
        assertEquals(List.of(0L, 2L), errorIndexes(r), "ordered by index");
        assertEquals(List.of(2), sdk.bufferedIds());
    }

    @Test
    void insertRows_skipBatch_wholeBatchAgainWithRepairedRowsInPlace() throws Exception {
        FakeSdk sdk = new FakeSdk(true);
        List<Map<String, Object>> batch = rows("{\"id\":1}", "{\"id\":2,\"a\":1,\"a\":2}", "{\"id\":3}", "{\"id\":4,\"a\":0,\"a\":3}");
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), batch, "12", true);
        assertFalse(r.hasErrors());
        assertEquals(List.of(4, 4), sdk.callSizes);
        assertEquals(List.of("12"), sdk.tokens, "the refused first call buffered nothing");
        assertEquals(List.of(1, 2, 3, 4), sdk.bufferedIds(), "in the batch's order");
        assertEquals(3, JSON.readTree((String) sdk.buffered.get(3).get("RECORD_CONTENT")).get("a").asInt());
    }

    @Test
    void insertRows_skipBatchWithAnotherRefusal_nothingBufferedAndOnlyThatRowReported() {
        FakeSdk sdk = new FakeSdk(true);
        List<Map<String, Object>> batch = rows("{\"id\":1,\"a\":1,\"a\":2}", "{\"id\":2,\"bad\":1}", "{\"id\":3}");
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), batch, "3", true);
        assertEquals(List.of(1L), errorIndexes(r), "the repeated key no longer stops the bridge; the bad row does");
        assertTrue(sdk.buffered.isEmpty());
        assertTrue(sdk.tokens.isEmpty());
    }

    @Test
    void insertRows_skipBatchOnlyOtherRefusals_noSecondCall() {
        FakeSdk sdk = new FakeSdk(true);
        InsertValidationResponse r = RowRepair.insertRows(sdk.channel(), rows("{\"id\":1,\"bad\":1}", "{\"id\":2}"), "3", true);
        assertEquals(List.of(0L), errorIndexes(r));
        assertEquals(List.of(2), sdk.callSizes);
    }
}
