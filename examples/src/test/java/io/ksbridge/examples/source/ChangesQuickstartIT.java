package io.ksbridge.examples.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Snowflake-to-Kafka quickstart prints the snapshot and each change as a consumer sees it. */
class ChangesQuickstartIT {
    @ParameterizedTest(name = "read-only CHANGES source: {0}")
    @ValueSource(booleans = {false, true})
    void quickstart_printsSnapshotThenChanges(boolean readOnly) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int printed = ChangesQuickstart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), readOnly);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(6, printed, out);
        assertTrue(out.contains("key {\"ID\":3}  value {\"before\":null,\"after\":{\"ID\":3,\"STATUS\":\"new\",\"AMOUNT\":\"42.00\"},"
                + "\"op\":\"c\""), out);
        assertTrue(out.contains("\"before\":{\"ID\":1,\"STATUS\":\"new\",\"AMOUNT\":\"19.90\"},\"after\":{\"ID\":1,\"STATUS\":\"shipped\""),
                out);
        assertTrue(out.contains("key {\"ID\":2}  value null (tombstone)"), out);
    }
}
