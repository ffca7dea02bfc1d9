package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.format.TypedColumns;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ksbridge.json.columns: pairs parsed with the commas inside NUMBER(p,s) kept, each refusal naming the setting. */
class BridgeConfigJsonColumnsTest {

    private static BridgeConfig config(String columns) {
        return BridgeConfig.from(Map.of("ksbridge.json.columns", columns, "snowflake.enable.schematization", "true"));
    }

    private static String refused(Map<String, String> p) {
        return assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(p)).getMessage();
    }

    @Test
    void pairs_typedColumnsInOrder_precisionCommasKept() {
        TypedColumns c = config(" amount : decimal(10, 2),day:DATE , at:TIMESTAMP_LTZ(3),id:int").jsonColumns().orElseThrow();
        assertEquals(List.of("amount", "day", "at", "id"), c.columns().stream().map(TypedColumns.Column::field).toList());
        assertEquals(List.of("NUMBER(10,2)", "DATE", "TIMESTAMP_LTZ(3)", "NUMBER(38,0)"),
                c.columns().stream().map(TypedColumns.Column::type).toList());
        assertTrue(BridgeConfig.from(Map.of()).jsonColumns().isEmpty());
    }

    @Test
    void badPairOrType_problemNamingTheSettingAndWhy() {
        assertEquals("Invalid value amount for setting ksbridge.json.columns: expected field:TYPE, got 'amount' (for"
                + " example amount:NUMBER(10,2))", refused(Map.of("ksbridge.json.columns", "amount",
                "snowflake.enable.schematization", "true")));
        String money = refused(Map.of("ksbridge.json.columns", "a:INT,price:MONEY", "snowflake.enable.schematization", "true"));
        assertTrue(money.startsWith("Invalid value a:INT,price:MONEY for setting ksbridge.json.columns: column price:"
                + " type MONEY is not a type a typed column can have"), money);
        assertTrue(refused(Map.of("ksbridge.json.columns", "a:INT,a:DATE", "snowflake.enable.schematization", "true"))
                .endsWith("field a is declared twice"));
    }

    @Test
    void withoutSchematization_refusedAsHavingNoEffect() {
        assertEquals("Invalid value a:INT for setting ksbridge.json.columns: has no effect without"
                        + " snowflake.enable.schematization=true (the values land in RECORD_CONTENT as they are); set it,"
                        + " or remove ksbridge.json.columns",
                refused(Map.of("ksbridge.json.columns", "a:INT")));
    }
}
