package io.ksbridge.testkit.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.KsbridgeTest;
import io.ksbridge.testkit.SnowflakeEmulator;
import io.ksbridge.testkit.emulator.ColumnDef;
import io.ksbridge.testkit.emulator.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import net.snowflake.ingest.streaming.InsertValidationResponse;
import net.snowflake.ingest.streaming.OpenChannelRequest;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestChannel;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClient;
import net.snowflake.ingest.streaming.SnowflakeStreamingIngestClientFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's Streaming side driven by the SDK's real streaming client. */
@KsbridgeTest
class StreamingServiceTest {
    static SnowflakeEmulator snowflake;
    static SnowflakeStreamingIngestClient client;
    static StreamingService streaming;

    @BeforeAll
    static void start(SnowflakeEmulator sharedSnowflake) {
        snowflake = sharedSnowflake;
        streaming = StreamingService.of(snowflake);
        client = newClient("TEST");
    }

    private static SnowflakeStreamingIngestClient newClient(String name) {
        Properties p = new Properties();
        p.put("url", snowflake.url());
        p.put("user", SnowflakeEmulator.USER);
        p.put("role", SnowflakeEmulator.ROLE);
        p.put("private_key", Base64.getEncoder().encodeToString(snowflake.privateKey().getEncoded()));
        return SnowflakeStreamingIngestClientFactory.builder(name).setProperties(p)
                .setParameterOverrides(Map.of("max_client_lag", 1000L)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
    }

    private static void table(String name) {
        snowflake.tables().create(name, List.of(ColumnDef.variant("RECORD_METADATA"), ColumnDef.variant("RECORD_CONTENT")),
                true);
    }

    private static SnowflakeStreamingIngestChannel open(String table, String channel) {
        return client.openChannel(OpenChannelRequest.builder(channel).setDBName("DB").setSchemaName("PUBLIC")
                .setTableName(table).setOnErrorOption(OpenChannelRequest.OnErrorOption.CONTINUE).build());
    }

    /** The blobs the SDK has written to the emulator's stage so far (registered or not). */
    private static long blobFiles() throws java.io.IOException {
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(streaming.stageDir())) {
            return files.filter(java.nio.file.Files::isRegularFile).count();
        }
    }

    private static List<Map<String, Object>> rows(int from, int to) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add(Map.of("RECORD_CONTENT", "{\"id\":" + i + ",\"s\":\"é\"}", "RECORD_METADATA", "{\"offset\":" + i + "}"));
        }
        return rows;
    }

    @Test
    void insertRows_readBackFromTheBlob_rowsAndTokenCommitted() throws Exception {
        table("DB.PUBLIC.T1");
        SnowflakeStreamingIngestChannel channel = open("T1", "t1_0");
        assertNull(channel.getLatestCommittedOffsetToken());
        InsertValidationResponse r = channel.insertRows(rows(0, 100), "99");
        assertFalse(r.hasErrors());
        Await.until("token 99", Duration.ofSeconds(20), () -> "99".equals(channel.getLatestCommittedOffsetToken()));
        List<Row> landed = snowflake.table("DB.PUBLIC.T1").rows();
        assertEquals(100, landed.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, landed.get(i).content().get("id").asInt());
            assertEquals("é", landed.get(i).content().get("s").asText());
            assertEquals(i, landed.get(i).metadata().get("offset").asInt());
        }
        assertEquals("99", streaming.committedOffsetToken("db.public.t1", "t1_0").orElseThrow());
        assertTrue(streaming.chunksRead() >= 1);
        channel.close().get();
    }

    @Test
    void configure_twoClients_eachGetsItsOwnPrefixAndTheirBlobsNeverCollide() throws Exception {
        table("DB.PUBLIC.T6");
        SnowflakeStreamingIngestChannel mine = open("T6", "t6_0");
        try (SnowflakeStreamingIngestClient other = newClient("TEST")) { // the same client name, as two JVMs would use
            SnowflakeStreamingIngestChannel theirs = other.openChannel(OpenChannelRequest.builder("t6_1").setDBName("DB")
                    .setSchemaName("PUBLIC").setTableName("T6")
                    .setOnErrorOption(OpenChannelRequest.OnErrorOption.CONTINUE).build());
            assertFalse(mine.insertRows(rows(0, 100), "99").hasErrors());
            assertFalse(theirs.insertRows(rows(100, 200), "199").hasErrors());
            Await.until("both tokens", Duration.ofSeconds(20), () -> "99".equals(mine.getLatestCommittedOffsetToken())
                    && "199".equals(theirs.getLatestCommittedOffsetToken()));
            List<String> prefixes = streaming.clientPrefixes();
            assertEquals(prefixes.size(), new java.util.HashSet<>(prefixes).size(), "unique prefixes: " + prefixes);
            assertTrue(prefixes.size() >= 2, "one prefix per client: " + prefixes);
            assertFalse(streaming.registeredBlobPaths().isEmpty(), "blobs were registered");
            for (String path : streaming.registeredBlobPaths()) {
                long owners = prefixes.stream().filter(p -> path.contains("_" + p + "_")).count();
                assertEquals(1, owners, "blob " + path + " carries exactly one client's prefix of " + prefixes);
            }
            theirs.close().get();
        }
        List<Row> landed = snowflake.table("DB.PUBLIC.T6").rows();
        assertEquals(200, landed.size(), "every row of both clients once");
        mine.close().get();
    }

    @Test
    void registration_answerLost_sdkRetriesAndRowsLandOnce() throws Exception {
        table("DB.PUBLIC.T4");
        SnowflakeStreamingIngestChannel channel = open("T4", "t4_0");
        long before = streaming.repeatedRegistrationCount();
        snowflake.faults().only("/v1/streaming/channels/write/blobs").dropNext(1);
        try {
            assertFalse(channel.insertRows(rows(0, 50), "49").hasErrors());
            Await.until("token 49", Duration.ofSeconds(20), () -> "49".equals(channel.getLatestCommittedOffsetToken()));
            // the lost answer's registration took effect; the SDK's retry of it may come later
            Await.until("the SDK's retry of the registration", Duration.ofSeconds(20), () -> streaming.repeatedRegistrationCount() > before);
            snowflake.awaitIdle(Duration.ofSeconds(20));
        } finally {
            snowflake.faults().reset();
        }
        List<Row> landed = snowflake.table("DB.PUBLIC.T4").rows();
        assertEquals(50, landed.size(), "each row once although the registration was applied and then retried");
        assertEquals(before + 1, streaming.repeatedRegistrationCount(), "the SDK retried the registration once");
    }

    @Test
    void registration_refusedWhileTheNextBlobIsFlushed_theLaterChunkIsRefusedToo_tokenNeverPassesLostRows()
            throws Exception {
        table("DB.PUBLIC.T5");
        SnowflakeStreamingIngestChannel channel = open("T5", "t5_0");
        long outOfOrderBefore = streaming.outOfOrderRegistrations();
        long heldBefore = snowflake.faults().heldRequests();
        long blobsBefore = blobFiles();
        // the first registration is held and then refused; meanwhile the SDK flushes the next rows in a second blob
        snowflake.faults().holdRequests("/v1/streaming/channels/write/blobs");
        streaming.failNextRegistrations(1);
        try {
            assertFalse(channel.insertRows(rows(0, 50), "49").hasErrors());
            Await.until("the first blob's registration held", Duration.ofSeconds(20), () -> snowflake.faults().heldRequests() > heldBefore);
            assertFalse(channel.insertRows(rows(50, 100), "99").hasErrors());
            Await.until("the second blob flushed while the first registration is held", Duration.ofSeconds(20), () -> {
                try {
                    return blobFiles() >= blobsBefore + 2;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            snowflake.faults().releaseRequests();
            Await.until("the refused handle invalidated", Duration.ofSeconds(20), () -> !channel.isValid());
            Await.until("the second chunk refused as out of order", Duration.ofSeconds(20), () -> streaming.outOfOrderRegistrations() > outOfOrderBefore);
            snowflake.awaitIdle(Duration.ofSeconds(20));
        } finally {
            snowflake.faults().reset();
            streaming.failNextRegistrations(0);
        }
        Optional<String> token = streaming.committedOffsetToken("DB.PUBLIC.T5", "t5_0");
        long committed = token.map(Long::parseLong).orElse(-1L);
        List<Row> landed = snowflake.table("DB.PUBLIC.T5").rows();
        assertEquals(committed + 1, landed.size(), "the committed token " + token + " must cover exactly the rows"
                + " that landed, with no gap before it");
        assertEquals(-1, committed, "neither chunk may commit: the first was refused, the second follows it");
    }

    @Test
    void delayCommits_registeredChunk_emulatorBusyUntilTheCommitTakesEffect() throws Exception {
        table("DB.PUBLIC.T7");
        SnowflakeStreamingIngestChannel channel = open("T7", "t7_0");
        snowflake.awaitIdle(Duration.ofSeconds(10));
        long chunksBefore = streaming.chunksRead();
        streaming.delayCommits(Duration.ofSeconds(2));
        try {
            assertFalse(channel.insertRows(rows(0, 20), "19").hasErrors());
            Await.until("the chunk registered", Duration.ofSeconds(20), () -> streaming.chunksRead() > chunksBefore);
            assertFalse(snowflake.isIdle(), "a delayed commit is pending work");
            assertTrue(snowflake.pendingWork().contains("Streaming: 1 registered chunk(s) of DB.PUBLIC.T7 waiting for their"
                    + " delayed commit (delayCommits PT2S)"), snowflake.pendingWork().toString());
            assertEquals(0, snowflake.table("DB.PUBLIC.T7").rowCount(), "not committed yet");
            AssertionError busy = assertThrows(AssertionError.class, () -> snowflake.awaitIdle(Duration.ofMillis(100)));
            assertTrue(busy.getMessage().startsWith("timed out after PT0.1S waiting for the Snowflake emulator to be idle;"
                    + " still pending: ") && busy.getMessage().contains("DB.PUBLIC.T7"), busy.getMessage());
            snowflake.awaitIdle(Duration.ofSeconds(10));
            // idle means committed: rows and token are there without any further wait
            assertEquals(20, snowflake.table("DB.PUBLIC.T7").rowCount());
            assertEquals("19", streaming.committedOffsetToken("DB.PUBLIC.T7", "t7_0").orElseThrow());
            assertEquals(List.of(), streaming.pendingWork());
        } finally {
            streaming.delayCommits(Duration.ZERO);
        }
        channel.close().get();
    }

    @Test
    void reopen_byAnotherClient_oldHandleWritesNothingAndIsInvalidated() throws Exception {
        table("DB.PUBLIC.T2");
        SnowflakeStreamingIngestChannel first = open("T2", "t2_0");
        first.insertRows(rows(0, 10), "9");
        Await.until("token 9", Duration.ofSeconds(20), () -> "9".equals(first.getLatestCommittedOffsetToken()));
        SnowflakeStreamingIngestClient other = newClient("OTHER");
        SnowflakeStreamingIngestChannel second = other.openChannel(OpenChannelRequest.builder("t2_0").setDBName("DB")
                .setSchemaName("PUBLIC").setTableName("T2").setOnErrorOption(OpenChannelRequest.OnErrorOption.CONTINUE).build());
        assertEquals(1, streaming.clientSequencer("DB.PUBLIC.T2", "t2_0"));
        assertEquals("9", second.getLatestCommittedOffsetToken());
        first.insertRows(rows(10, 20), "19"); // buffered in the stale handle: refused at registration
        Await.until("the stale handle invalidated", Duration.ofSeconds(20), () -> !first.isValid());
        second.insertRows(rows(10, 15), "14");
        Await.until("token 14", Duration.ofSeconds(20), () -> "14".equals(second.getLatestCommittedOffsetToken()));
        assertEquals(15, snowflake.table("DB.PUBLIC.T2").rowCount());
        assertTrue(streaming.staleRegistrations() >= 1);
        assertThrows(RuntimeException.class, () -> first.insertRows(rows(20, 21), "20"));
        assertEquals("14", streaming.committedOffsetToken("DB.PUBLIC.T2", "t2_0").orElseThrow());
        second.close().get();
        other.close();
    }

    @Test
    void configure_untrustedKey_refusedWith401AndNoClient() {
        Properties p = new Properties();
        p.put("url", snowflake.url());
        p.put("user", SnowflakeEmulator.USER);
        p.put("private_key", Base64.getEncoder().encodeToString(SnowflakeEmulator.newKeyPair().getPrivate().getEncoded()));
        long before = snowflake.requestCount("/v1/streaming/client/");
        SecurityException e = assertThrows(SecurityException.class, () -> SnowflakeStreamingIngestClientFactory
                .builder("UNTRUSTED").setProperties(p).setParameterOverrides(Map.of("max_client_lag", 1000L)).build());
        assertTrue(snowflake.requestCount("/v1/streaming/client/") > before, "configure was not called: " + e);
    }

    @Test
    void invalidate_onDemand_registrationRefusedUntilReopened() throws Exception {
        table("DB.PUBLIC.T3");
        SnowflakeStreamingIngestChannel channel = open("T3", "t3_0");
        channel.insertRows(rows(0, 5), "4");
        Await.until("token 4", Duration.ofSeconds(20), () -> "4".equals(channel.getLatestCommittedOffsetToken()));
        streaming.invalidate("DB.PUBLIC.T3", "t3_0");
        channel.insertRows(rows(5, 10), "9");
        Await.until("the channel invalidated", Duration.ofSeconds(20), () -> !channel.isValid());
        assertEquals(5, snowflake.table("DB.PUBLIC.T3").rowCount());
        SnowflakeStreamingIngestChannel again = open("T3", "t3_0");
        assertEquals("4", again.getLatestCommittedOffsetToken());
        again.insertRows(rows(5, 10), "9");
        Await.until("token 9", Duration.ofSeconds(20), () -> "9".equals(again.getLatestCommittedOffsetToken()));
        assertEquals(10, snowflake.table("DB.PUBLIC.T3").rowCount());
        again.close().get();
    }
}
