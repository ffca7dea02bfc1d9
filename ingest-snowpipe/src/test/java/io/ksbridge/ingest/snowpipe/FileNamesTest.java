package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void inFolder_oursAndTheConnectorsLayouts_onlyThisPartitionsFiles() {
        TopicPartition p0 = new TopicPartition("files_killed", 0);
        String ours = FileNames.name(FileNames.prefix("MIG", "FILES_KILLED", p0), 0, 499, Compression.ZSTD);
        assertTrue(FileNames.inFolder(ours, "MIG", "FILES_KILLED", p0));
        // what Snowflake's connector 2.5.0 wrote (seen in MigrationIT): names as configured, the bare partition
        assertTrue(FileNames.inFolder("mig/files_killed/0/450_499_1796287836504.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder("mig/files_killed/1/450_499_1796287836504.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder("mig/files_killed/10/0_49_1.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder("other/files_killed/0/0_49_1.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder("mig/orders/0/0_49_1.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder("mig/files_killed/0/sub/0_49_1.json.gz", "MIG", "FILES_KILLED", p0));
        assertFalse(FileNames.inFolder(FileNames.name(FileNames.prefix("MIG", "FILES_KILLED",
                new TopicPartition("files_killed", 1)), 0, 9, Compression.ZSTD), "MIG", "FILES_KILLED", p0));
    }
}
