package io.ksbridge.peers;

import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One Connect worker with the connector's plugin for a whole test class (its start scans a 164 MB jar: 12 to 35 s),
 * on the class's broker, with the emulator's cloud-style stages on (the connector's Snowpipe mode refuses
 * {@code LOCAL_FS}).
 */
@KsbridgeTest
abstract class WorkerPerClass {
    static ConnectWorker worker;

    @BeforeAll
    static void startWorker(EmbeddedKafka kafka, SnowflakeEmulator snowflake) {
        snowflake.cloudStyleStages(true);
        worker = ConnectWorker.start(kafka);
    }

    @AfterAll
    static void stopWorker() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }
}
