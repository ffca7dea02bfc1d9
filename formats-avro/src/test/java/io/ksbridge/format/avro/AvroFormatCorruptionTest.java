package io.ksbridge.format.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.FormatRunner;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** Corrupt bodies end in an error naming the problem, never in a hang or an out-of-memory. */
class AvroFormatCorruptionTest {

    @Test
    void randomlyCorruptedBodies_decodeOrFailWithIoException_quickly() throws Exception {
        Schema schema = AvroSamples.allTypesSchema();
        corrupt(AvroFormat.ofSchema(schema), AvroSamples.binary(schema, AvroSamples.allTypes()));
    }

    @Test
    void randomlyCorruptedBodiesWithReaderSchema_decodeOrFailWithIoException_quickly() throws Exception {
        Schema writer = AvroSamples.allTypesSchema();
        Schema reader = new Schema.Parser().parse(AvroSamples.ALL_TYPES_SCHEMA.replace("\n]}",
                ",\n {\"name\": \"added\", \"type\": \"int\", \"default\": 1}]}"));
        corrupt(AvroFormat.ofSchema(writer, reader), AvroSamples.binary(writer, AvroSamples.allTypes()));
    }

    private static void corrupt(AvroFormat format, byte[] good) {
        Random random = new Random(42);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int round = 0; round < 3_000; round++) {
                byte[] bad = good.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                }
                try {
                    FormatRunner.Result out = FormatRunner.value(format, bad);
                    assertTrue(out.json().startsWith("{\"nothing\":null,"), out.json());
                    outcomes[0]++;
                } catch (IOException expected) {
                    outcomes[1]++;
                }
            }
        });
        assertTrue(outcomes[1] > 1_000, "most corruptions are detected: " + outcomes[0] + " decoded, "
                + outcomes[1] + " refused");
    }

    @Test
    void arrayOfNullsClaimingAMillion_refusedWithoutExpanding() {
        Schema nulls = new Schema.Parser().parse("{\"type\":\"array\",\"items\":\"null\"}");
        // block count 2^20 (zigzag varint), then the end marker
        byte[] body = {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01, 0};

        IOException e = assertThrows(IOException.class, () -> FormatRunner.value(AvroFormat.ofSchema(nulls), body));

        assertEquals("the Avro body does not decode with the writer schema array: an array of zero-byte items claims "
                + "1048576 items, more than the 100000 allowed: the body is corrupt", e.getMessage());
    }

    @Test
    void arrayOfNullsWithinLimit_decoded() throws Exception {
        Schema nulls = new Schema.Parser().parse("{\"type\":\"array\",\"items\":\"null\"}");

        assertEquals("[null,null,null]", FormatRunner.value(AvroFormat.ofSchema(nulls), new byte[] {6, 0}).json());
    }
}
