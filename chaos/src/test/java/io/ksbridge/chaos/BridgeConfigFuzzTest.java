package io.ksbridge.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.config.BridgeConfig;
import io.ksbridge.testkit.RecordingBackend;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Random wrong, missing and conflicting connector properties for {@link BridgeConfig#from(Map)} (seeded): every
 * rejected configuration ends in one {@link BridgeConfigException} whose problems name the offending keys, never
 * another exception or a hang; accepted ones feed the builder and {@link BridgeConfig#account()} without surprises;
 * no message ever shows the private key, the passphrase, the OAuth client secret or the refresh token.
 */
class BridgeConfigFuzzTest {
    private static final KeyPair KEYS = SnowflakeEmulator.newKeyPair();
    private static final String PASSPHRASE = "fuzz-passphrase-Zq81xV0pLmN3";
    private static final String PLAIN_PEM = SnowflakeEmulator.pem(KEYS.getPrivate());
    // openssl's default PBKDF2 rounds: each accepted case decrypts the key, 10,000 rounds made that 15 s of 18
    private static final String ENCRYPTED_PEM = EncryptedKeys.encryptedPem(KEYS.getPrivate(), PASSPHRASE, 2_048);
    private static final String CLIENT_SECRET = "fuzz-client-secret-Hq2wK9";
    private static final String REFRESH_TOKEN = "fuzz-refresh-token-Tb7yR4";

    /** Values each key rejects on its own, by key. */
    private static final Map<String, List<String>> BAD = new LinkedHashMap<>();
    /** Values each key accepts on its own, by key. */
    private static final Map<String, List<String>> GOOD = new LinkedHashMap<>();

    static {
        bad(BridgeConfig.INGESTION_METHOD, "snowpipe_streamingg", "", "KAFKA");
        good(BridgeConfig.INGESTION_METHOD, "SNOWPIPE", "snowpipe_streaming");
        bad(BridgeConfig.NAME, "1abc", "a b", "x", "", "na\u00efve");
        good(BridgeConfig.NAME, "orders-loader", "_x$");
        bad(BridgeConfig.TOPICS, "a,,b", "a,a", ",");
        good(BridgeConfig.TOPICS, "orders", "orders, payments", "\u65e5\u672c-topic");
        bad(BridgeConfig.TOPICS_REGEX, "(", "[a-", "");
        good(BridgeConfig.TOPICS_REGEX, "orders.*");
        bad(BridgeConfig.TOPIC2TABLE_MAP, "a", "a:b:c", "a:1x", "a:db.s.tbl", "a:T1,a:T2", "(:TT", "a.*:T1,ab:T2");
        good(BridgeConfig.TOPIC2TABLE_MAP, "orders:ORDERS_RAW", "a:T1,b:T2,", "");
        for (String k : List.of(BridgeConfig.BUFFER_COUNT_RECORDS, BridgeConfig.BUFFER_SIZE_BYTES)) {
            bad(k, "abc", "0", "-5", "1.5", "", "99999999999999999999");
            good(k, "1", "10000", " 42 ");
        }
        bad(BridgeConfig.BUFFER_FLUSH_TIME, "x", "0", "-1", "");
        good(BridgeConfig.BUFFER_FLUSH_TIME, "10", "120");
        for (String k : List.of(BridgeConfig.METADATA_ALL, BridgeConfig.METADATA_TOPIC,
                BridgeConfig.METADATA_OFFSET_AND_PARTITION, BridgeConfig.METADATA_CREATETIME,
                BridgeConfig.METADATA_CONNECTOR_PUSH_TIME, BridgeConfig.ERRORS_LOG_ENABLE)) {
            bad(k, "yes", "1", "", "tru");
            good(k, "true", "FALSE");
        }
        bad(BridgeConfig.ERRORS_TOLERANCE, "some", "", "NONEE");
        good(BridgeConfig.ERRORS_TOLERANCE, "none", "ALL");
        bad(BridgeConfig.BEHAVIOR_ON_NULL_VALUES, "drop", "");
        good(BridgeConfig.BEHAVIOR_ON_NULL_VALUES, "ignore", "DEFAULT");
        bad(BridgeConfig.URL, "ftp://x.snowflakecomputing.com", "", "http://", "ht tp://a b");
        good(BridgeConfig.URL, "https://acme-xy.snowflakecomputing.com", "acme.snowflakecomputing.com:443");
        for (String k : List.of(BridgeConfig.USER, BridgeConfig.ROLE, BridgeConfig.DATABASE, BridgeConfig.SCHEMA)) {
            bad(k, "");
            good(k, "KSBRIDGE", "\u00e9t\u00e9");
        }
        bad(BridgeConfig.PRIVATE_KEY, "", "   ");
        good(BridgeConfig.PRIVATE_KEY, PLAIN_PEM, ENCRYPTED_PEM);
        good(BridgeConfig.PRIVATE_KEY_PASSPHRASE, PASSPHRASE, "");
        good(BridgeConfig.ERRORS_DEADLETTERQUEUE_TOPIC_NAME, "dlq", "");
        bad(BridgeConfig.AUTHENTICATOR, "password", "", "jwt");
        good(BridgeConfig.AUTHENTICATOR, "snowflake_jwt", "OAUTH", "oauth");
        bad(BridgeConfig.OAUTH_CLIENT_ID, "");
        good(BridgeConfig.OAUTH_CLIENT_ID, "loader");
        bad(BridgeConfig.OAUTH_CLIENT_SECRET, "", "  ");
        good(BridgeConfig.OAUTH_CLIENT_SECRET, CLIENT_SECRET);
        good(BridgeConfig.OAUTH_REFRESH_TOKEN, REFRESH_TOKEN, "");
        bad(BridgeConfig.OAUTH_TOKEN_ENDPOINT, "ftp://idp.example.com/token", "", "http://");
        good(BridgeConfig.OAUTH_TOKEN_ENDPOINT, "https://idp.example.com/oauth2/v1/token");
        bad(BridgeConfig.OAUTH_INCLUDE_SCOPE, "yes", "");
        good(BridgeConfig.OAUTH_INCLUDE_SCOPE, "true", "false");
        bad(BridgeConfig.OAUTH_SCOPE, "");
        good(BridgeConfig.OAUTH_SCOPE, "session:role:INGEST");
    }

    private static void bad(String key, String... values) {
        BAD.put(key, List.of(values));
    }

    private static void good(String key, String... values) {
        GOOD.put(key, List.of(values));
    }

    @Test
    void from_eachKeyWithEachWrongValue_rejectedNamingThatKey() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : BAD.entrySet()) {
            for (String value : e.getValue()) {
                try {
                    BridgeConfig.from(Map.of(e.getKey(), value));
                    problems.add(e.getKey() + "=" + value + " accepted");
                } catch (BridgeConfigException x) {
                    Set<String> named = new TreeSet<>();
                    x.problems().forEach(p -> named.add(p.setting()));
                    if (!named.equals(Set.of(e.getKey()))) {
                        problems.add(e.getKey() + "=" + value + " named " + named + ": " + x.getMessage());
                    }
                } catch (RuntimeException x) {
                    problems.add(e.getKey() + "=" + value + " threw " + x);
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void from_randomMixesOfGoodWrongUnknownAndConflictingKeys_onlyBridgeConfigExceptionsNamingGivenKeys() {
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int seed = 0; seed < 3_000; seed++) {
                runCase(seed, outcomes);
            }
        });
        assertTrue(outcomes[0] > 300 && outcomes[1] > 300, "rejected " + outcomes[0] + ", accepted " + outcomes[1]);
    }

    private static void runCase(int seed, int[] outcomes) {
        Random r = new Random(seed);
        Map<String, Object> props = new HashMap<>();
        Set<String> wrong = new TreeSet<>();
        List<String> keys = new ArrayList<>(GOOD.keySet());
        int n = r.nextInt(10);
        for (int i = 0; i < n; i++) {
            String key = keys.get(r.nextInt(keys.size()));
            int dice = r.nextInt(10);
            if (dice < 2 && BAD.containsKey(key)) {
                props.put(key, pick(r, BAD.get(key)));
                wrong.add(key);
            } else if (dice == 2) {
                String unknown = List.of("snowflake.private.key.pasphrase", "buffer.count.record", "snowflake.url",
                        "snowflake.topic2table", "buffer.flush.timeout").get(r.nextInt(5));
                // a misspelt secret key must stay hidden; other unknown keys carry harmless values
                props.put(unknown, unknown.contains("pasphrase") ? PASSPHRASE : "1");
                wrong.add(unknown);
            } else if (dice == 3) {
                props.put(key, null);
                wrong.add(key);
            } else {
                props.put(key, pick(r, GOOD.get(key)));
                wrong.remove(key);
            }
            if (r.nextInt(20) == 0) {
                props.put("connector.class", "com.snowflake.kafka.connector.SnowflakeSinkConnector"); // ignored
            }
        }
        String message;
        try {
            BridgeConfig config = BridgeConfig.from(props);
            assertTrue(wrong.isEmpty(), "seed " + seed + ": accepted wrong keys " + wrong + " in " + redacted(props));
            outcomes[1]++;
            message = config.toString() + useAccepted(config, seed);
        } catch (BridgeConfigException e) {
            outcomes[0]++;
            Set<String> named = new TreeSet<>();
            e.problems().forEach(p -> named.add(p.setting()));
            assertTrue(named.containsAll(wrong), "seed " + seed + ": " + wrong + " not all named in " + e.getMessage());
            for (String s : named) {
                assertTrue(props.containsKey(s), "seed " + seed + ": problem names " + s + ", which was not given: "
                        + e.getMessage());
            }
            message = e.getMessage();
        } catch (RuntimeException e) {
            throw new AssertionError("seed " + seed + ": from() threw " + e + " for " + redacted(props), e);
        }
        assertNoSecret(seed, message);
    }

    /** Feeds an accepted configuration to the builder and asks for its account; returns what a user would see. */
    private static String useAccepted(BridgeConfig config, int seed) {
        StringBuilder seen = new StringBuilder();
        KafkaToSnowflakeBridge.Builder b = config.applyTo(KafkaToSnowflakeBridge.builder()).backend(new RecordingBackend());
        seen.append(b);
        try {
            b.build().close(Duration.ZERO);
        } catch (BridgeConfigException e) {
            seen.append(e.getMessage()); // an own loop without consumer properties, for example: named, fine
        }
        try {
            seen.append(config.account());
        } catch (BridgeConfigException e) {
            for (BridgeConfigException.Problem p : e.problems()) {
                assertTrue(p.setting().startsWith("snowflake.") || p.setting().equals("privateKey")
                        || p.setting().equals("passphrase") || p.setting().equals("url"),
                        "seed " + seed + ": account() names " + p.setting() + ": " + e.getMessage());
            }
            seen.append(e.getMessage());
        }
        return seen.toString();
    }

    private static void assertNoSecret(int seed, String text) {
        SecretScanner scanner = new SecretScanner(List.of(EncryptedKeys.base64Body(PLAIN_PEM),
                EncryptedKeys.base64Body(ENCRYPTED_PEM), PASSPHRASE, CLIENT_SECRET, REFRESH_TOKEN), List.of());
        assertEquals(0, scanner.scan("message", text), "seed " + seed + ": a secret fragment in " + scanner.hits() + ": "
                + text.replace(PASSPHRASE, "<PASSPHRASE>"));
    }

    private static String pick(Random r, List<String> values) {
        return values.get(r.nextInt(values.size()));
    }

    private static String redacted(Map<String, Object> props) {
        Map<String, Object> copy = new TreeMap<>();
        props.forEach((k, v) -> copy.put(k, k.contains("key") || k.contains("pas") ? "[hidden]" : v));
        return copy.toString();
    }

    @Test
    void from_missingAccountSettings_accountNamesEveryMissingKey() {
        BridgeConfig config = BridgeConfig.from(Map.of(BridgeConfig.TOPICS, "orders"));
        BridgeConfigException e = assertThrows(BridgeConfigException.class, config::account);
        Set<String> named = new TreeSet<>();
        e.problems().forEach(p -> named.add(p.setting()));
        assertTrue(named.containsAll(Set.of(BridgeConfig.URL, BridgeConfig.USER, BridgeConfig.PRIVATE_KEY)), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }

    @Test
    void from_nullKeyOrNullMap_documentedNullPointerException() {
        Map<String, Object> withNullKey = new HashMap<>();
        withNullKey.put(null, "x");
        NullPointerException e1 = assertThrows(NullPointerException.class, () -> BridgeConfig.from(withNullKey));
        assertEquals("properties must not contain a null key", e1.getMessage());
        NullPointerException e2 = assertThrows(NullPointerException.class, () -> BridgeConfig.from((Map<String, ?>) null));
        assertEquals("properties must not be null", e2.getMessage());
    }
}
