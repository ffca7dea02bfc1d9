package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** How the emulator's JDBC front end puts the driver's positional bindings into the statement text. */
class JdbcBindingsTest {
    private static JsonNode bindings(String json) throws Exception {
        return HttpJson.MAPPER.readTree(json);
    }

    @Test
    void bind_identifierAndLiterals_asSnowflakeWouldReadThem() throws Exception {
        JsonNode b = bindings("{\"1\":{\"type\":\"TEXT\",\"value\":\"DB.PUBLIC.\\\"My T\\\"\"},"
                + "\"2\":{\"type\":\"TEXT\",\"value\":\"it's\"},\"3\":{\"type\":\"FIXED\",\"value\":\"42\"},"
                + "\"4\":{\"type\":\"BOOLEAN\",\"value\":\"true\"},\"5\":{\"type\":\"TEXT\",\"value\":null}}");
        assertEquals("select * from DB.PUBLIC.\"My T\" where a = 'it''s' and b = 42 and c = true and d = NULL",
                JdbcService.bind("select * from identifier( ? ) where a = ? and b = ? and c = ? and d = ?", b));
    }

    @Test
    void bind_questionMarksInsideQuotes_areNotBindings() throws Exception {
        JsonNode b = bindings("{\"1\":{\"type\":\"TEXT\",\"value\":\"x\"}}");
        assertEquals("select '?', \"?\" from t where a = 'x'", JdbcService.bind("select '?', \"?\" from t where a = ?", b));
    }

    @Test
    void bind_noBindings_textUnchanged() {
        assertEquals("select ?", JdbcService.bind("select ?", null));
    }

    @Test
    void bind_moreMarksThanBindings_isTheDriversBindError() throws Exception {
        SqlService.SqlError e = assertThrows(SqlService.SqlError.class,
                () -> JdbcService.bind("select ?, ?", bindings("{\"1\":{\"type\":\"TEXT\",\"value\":\"x\"}}")));
        assertEquals("002049", e.code);
        assertEquals("SQL compilation error: error line 1 at position 10\nBind variable ? not set.", e.getMessage());
    }

    @Test
    void statementType_perStatementKind() {
        assertEquals(0x6000, JdbcService.statementType(" create table t (a int)"));
        assertEquals(0x4500, JdbcService.statementType("desc table t"));
        assertEquals(0x4701, JdbcService.statementType("ls @s"));
        assertEquals(0x7103, JdbcService.statementType("rm @s/p"));
        assertEquals(0x4300, JdbcService.statementType("use schema s"));
        assertEquals(0x1000, JdbcService.statementType("select 1"));
    }
}
