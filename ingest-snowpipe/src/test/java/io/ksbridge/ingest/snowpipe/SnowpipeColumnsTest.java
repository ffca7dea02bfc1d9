package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ksbridge.format.TypedColumns;
import io.ksbridge.internal.schema.Schematizer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnowpipeColumnsTest {

    @Test
    void line_valuesAsSnowflakesJsonLoadReadsThem() {
        TypedColumns declared = TypedColumns.of(List.of(
                new TypedColumns.Column("amount", "NUMBER(10,2)", true, TypedColumns.Encoding.AS_IS),
                new TypedColumns.Column("day", "DATE", true, TypedColumns.Encoding.EPOCH_DAYS),
                new TypedColumns.Column("at", "TIMESTAMP_LTZ(3)", true, TypedColumns.Encoding.EPOCH_MILLIS),
                new TypedColumns.Column("blob", "BINARY", true, TypedColumns.Encoding.BASE64)));
        Schematizer.Columns c = Schematizer.columns(("{\"amount\":12345678.90,\"day\":19782,\"at\":1709208000123,"
                + "\"blob\":\"AP8=\",\"note\":\"a \\\"q\\\"\",\"nested\":{\"x\":1.0},\"my-field\":3}")
                .getBytes(StandardCharsets.UTF_8), declared);
        String line = new String(SnowpipeColumns.line(c.values(), c.types(), "{\"offset\":7}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
        assertEquals("{\"RECORD_METADATA\":{\"offset\":7},\"AMOUNT\":12345678.90,\"DAY\":\"2024-02-29\","
                + "\"AT\":\"2024-02-29T12:00:00.123Z\",\"BLOB\":\"00FF\",\"NOTE\":\"a \\\"q\\\"\",\"NESTED\":{\"x\":1.0},"
                + "\"my-field\":3}\n", line);
    }
}
