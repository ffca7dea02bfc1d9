package io.ksbridge.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.KafkaToSnowflakeBridge;
import io.ksbridge.testkit.Await;
import io.ksbridge.testkit.EmbeddedKafka;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A Boot application with an encrypted private key and its passphrase as properties: the bridge loads with them,
 * and neither the passphrase nor any 16-character piece of the key's body appears in the start-up log or in
 * {@code /actuator/env} and {@code /actuator/configprops}, even with both endpoints set to show values.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(classes = KsbridgeSecretsIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class KsbridgeSecretsIT {
    static final EmbeddedKafka KAFKA = EmbeddedKafka.start();
    static final SnowflakeEmulator SNOWFLAKE = SnowflakeEmulator.start();
    static final String PASSPHRASE = "pass-" + UUID.randomUUID();
    static final String KEY;

    static {
        try {
            KEY = EncryptedKeys.encryptedPem(SNOWFLAKE.privateKey(), PASSPHRASE);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        KAFKA.createTopic("secret-orders", 1);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        r.add("server.address", () -> "127.0.0.1");
        r.add("management.endpoints.web.exposure.include", () -> "health,env,configprops");
        r.add("management.endpoint.env.show-values", () -> "always");
        r.add("management.endpoint.configprops.show-values", () -> "always");
        r.add("management.endpoint.health.show-details", () -> "always");
        r.add("logging.level.io.ksbridge", () -> "DEBUG");
        r.add("ksbridge.enabled", () -> "true");
        r.add("ksbridge.name", () -> "secrets");
        r.add("ksbridge.topics", () -> "secret-orders");
        r.add("ksbridge.consumer.bootstrap.servers", KAFKA::bootstrapServers);
        r.add("ksbridge.consumer.group.id", () -> "secrets-group");
        r.add("ksbridge.table-overrides.secret-orders", () -> "SECRET_ORDERS");
        r.add("ksbridge.flush.records", () -> "10");
        r.add("ksbridge.flush.age", () -> "200ms");
        r.add("ksbridge.snowflake.url", SNOWFLAKE::url);
        r.add("ksbridge.snowflake.allow-insecure-http", () -> "true");
        r.add("ksbridge.snowflake.user", () -> SnowflakeEmulator.USER);
        r.add("ksbridge.snowflake.role", () -> SnowflakeEmulator.ROLE);
        r.add("ksbridge.snowflake.private-key", () -> KEY);
        r.add("ksbridge.snowflake.private-key-passphrase", () -> PASSPHRASE);
        r.add("ksbridge.snowflake.database", () -> "DB");
        r.add("ksbridge.snowflake.schema", () -> "PUBLIC");
        r.add("ksbridge.snowpipe.status-poll-interval", () -> "50ms");
    }

    @AfterAll
    static void stop() {
        SNOWFLAKE.close();
        KAFKA.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    KafkaToSnowflakeBridge bridge;

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return response.body();
    }

    private static List<String> leaks(String where, String text) {
        List<String> found = new ArrayList<>();
        if (text.contains(PASSPHRASE)) {
            found.add(where + " holds the passphrase");
        }
        String body = EncryptedKeys.body(KEY);
        for (int i = 0; i + 16 <= body.length(); i++) {
            if (text.contains(body.substring(i, i + 16))) {
                found.add(where + " holds the key's characters " + i + ".." + (i + 16));
                break;
            }
        }
        return found;
    }

    @Test
    void secretsAsProperties_bridgeLoads_neitherInLogNorInEnvOrConfigprops(CapturedOutput output) throws Exception {
        for (int i = 0; i < 20; i++) {
            KAFKA.produce("secret-orders", 0, "k" + i, "{\"id\":" + i + "}");
        }
        // the key and passphrase were used: the emulator checked JWTs signed with the decrypted key
        assertEquals(20, Await.rows(SNOWFLAKE, "DB.PUBLIC.SECRET_ORDERS", 20, Duration.ofSeconds(30)).size());

        String env = get("/actuator/env");
        String configprops = get("/actuator/configprops");
        String health = get("/actuator/health/ksbridge");

        List<String> found = new ArrayList<>();
        found.addAll(leaks("the log", output.getAll()));
        found.addAll(leaks("/actuator/env", env));
        found.addAll(leaks("/actuator/configprops", configprops));
        found.addAll(leaks("/actuator/health", health));
        assertEquals(List.of(), found);

        // the endpoints do show values (so the masking above is ours, not Boot's "show nothing" default)
        assertTrue(env.contains("ksbridge.snowflake.private-key-passphrase"), env);
        assertTrue(env.contains("secrets-group"), "env shows plain values");
        assertTrue(configprops.contains("\"privateKeyPassphrase\":\"******\""), configprops);
        assertTrue(configprops.contains("\"privateKey\":\"******\""), configprops);
        assertTrue(configprops.contains("\"user\":\"" + SnowflakeEmulator.USER + "\""), configprops);
        assertTrue(output.getAll().contains("ksbridge starting: name=secrets"), "the start-up summary was logged");
        assertTrue(health.contains("\"status\":\"UP\""), health);
        assertFalse(bridge.failure() != null, () -> "bridge failed: " + bridge.failure());
    }
}
