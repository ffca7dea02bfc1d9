package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class FileNamesTest {
    @Test
    void name_sameBatchTwice_sameNameCarryingTablePartitionAndRange() {
        TopicPartition tp = new TopicPartition("orders", 3);
        String prefix = FileNames.prefix("KSBRIDGE", "ORDERS", tp);
        String first = FileNames.name(prefix, 100, 199, Compression.GZIP);
        assertEquals(first, FileNames.name(FileNames.prefix("KSBRIDGE", "ORDERS", tp), 100, 199, Compression.GZIP));
        assertEquals("KSBRIDGE/ORDERS/" + FileNames.partitionPart(tp) + "/100_199.json.gz", first);
        assertEquals(new FileNames.Range(100, 199), FileNames.range(first));
        assertEquals(new FileNames.Range(0, 5), FileNames.range("x/y/1/0_5.json.zst"));
    }

    @Test
    void partitionPart_twoTopicsOneTable_differAndEndInThePartition() {
        long a = FileNames.partitionPart(new TopicPartition("orders", 7));
        long b = FileNames.partitionPart(new TopicPartition("orders-eu", 7));
        assertNotEquals(a, b);
        assertEquals(0x8000 + 7, a % 0x10000);
        assertEquals(FileNames.partitionPart(new TopicPartition("ORDERS", 7)), a, "the topic is upper-cased first");
    }

    @Test
    void range_connectorsName_isItsRange() {
        // the Snowflake connector's <first>_<last>_<epochMillis>.json.gz, read when ksbridge takes a topic over
        assertEquals(new FileNames.Range(100, 199), FileNames.range("SF/ORDERS/1/100_199_1700000000000.json.gz"));
    }

    @Test
    void range_foreignName_isNull() {
        assertNull(FileNames.range("notes.txt"));
        assertNull(FileNames.range("SF/ORDERS/1/100_199_17_3.json.gz"));
        assertNull(FileNames.range("SF/ORDERS/1/100.json.gz"));
    }
}
