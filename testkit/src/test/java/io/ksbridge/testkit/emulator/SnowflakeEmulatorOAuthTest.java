package io.ksbridge.testkit.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ksbridge.IngestException;
import io.ksbridge.RetryPolicy;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.AccessToken;
import io.ksbridge.snowflake.AccessTokenProvider;
import io.ksbridge.snowflake.OAuthTokenClient;
import io.ksbridge.snowflake.SnowflakeAccount;
import io.ksbridge.snowflake.SnowflakeSqlException;
import io.ksbridge.snowflake.SqlApiClient;
import io.ksbridge.testkit.SnowflakeEmulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The emulator as an OAuth authorization server: tokens for registered clients with both grants, accepted on the SQL
 * API, Snowpipe and Streaming routes; expired, foreign and tampered tokens refused with Snowflake's codes; expiry
 * handled by the client's refresh (ahead of time, and once on a 401).
 */
class SnowflakeEmulatorOAuthTest {
    private static final String SECRET = "emu-client-secret-4417";
    private static final String REFRESH = "emu-refresh-token-ocelot";
    private static SnowflakeEmulator snowflake;

    @BeforeAll
    static void start() {
        snowflake = SnowflakeEmulator.builder()
                .oauthClient("service", Secret.of(SECRET))
                .oauthClient("loader", Secret.of(SECRET), Secret.of(REFRESH))
                .start();
    }

    @AfterAll
    static void stop() {
        snowflake.close();
    }

    private static SqlApiClient sql(AccessTokenProvider tokens) {
        return SqlApiClient.builder(snowflake.oauthAccount(tokens)).retry(RetryPolicy.exponential(Duration.ofMillis(10),
                Duration.ofMillis(50)).withMaxAttempts(2)).build();
    }

    private static String code(SnowflakeSqlException e) {
        return e.code();
    }

    @Test
    void clientCredentials_tokenFromTheEmulator_runsStatements() {
        OAuthTokenClient client = OAuthTokenClient.clientCredentials(snowflake.oauthTokenEndpoint(), "service",
                Secret.of(SECRET)).build();
        long before = snowflake.oauth().issuedCount("service");
        assertEquals(1, sql(client).execute("SELECT 1").rows().size());
        assertEquals(1, sql(client).execute("SELECT 1").rows().size());
        assertEquals(before + 1, snowflake.oauth().issuedCount("service"), "one token for both statements");
        AccessToken t = client.token();
        assertTrue(t.expiresAt().isAfter(Instant.now().plus(Duration.ofMinutes(9))), String.valueOf(t.expiresAt()));
    }

    @Test
    void refreshToken_grant_runsStatements_wrongRefreshTokenOrSecretRefused() {
        OAuthTokenClient client = OAuthTokenClient.refreshToken(snowflake.oauthTokenEndpoint(), "loader", Secret.of(SECRET),
                Secret.of(REFRESH)).build();
        assertEquals(1, sql(client).execute("SELECT 1").rows().size());

        IngestException grant = assertThrows(IngestException.class, () -> OAuthTokenClient.refreshToken(
                snowflake.oauthTokenEndpoint(), "loader", Secret.of(SECRET), Secret.of("stolen-refresh")).build().token());
        assertFalse(grant.isRetriable());
        assertTrue(grant.getMessage().contains("invalid_grant: The refresh token is invalid or expired. (HTTP 400)"),
                grant.getMessage());
        IngestException secret = assertThrows(IngestException.class, () -> OAuthTokenClient.clientCredentials(
                snowflake.oauthTokenEndpoint(), "service", Secret.of("wrong-secret")).build().token());
        assertTrue(secret.getMessage().contains("invalid_client: Client authentication failed. (HTTP 401)"),
                secret.getMessage());
        IngestException noRefresh = assertThrows(IngestException.class, () -> OAuthTokenClient.refreshToken(
                snowflake.oauthTokenEndpoint(), "service", Secret.of(SECRET), Secret.of(REFRESH)).build().token());
        assertTrue(noRefresh.getMessage().contains("invalid_grant"), "service has no refresh token");
    }

    @Test
    void foreignToken_refused401WithSnowflakesInvalidTokenCode() {
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class,
                () -> sql(AccessTokenProvider.fixed(Secret.of("ver:1-hint:from-another-account"))).execute("SELECT 1"));
        assertEquals(401, e.httpStatus());
        assertEquals(OAuthServer.INVALID_CODE, code(e));
        assertTrue(e.getMessage().startsWith("Snowflake refused the OAuth access token for user KSBRIDGE in account 127:"
                + " Invalid OAuth access token. [not issued by this account] (HTTP 401, code 390303)."), e.getMessage());
        assertFalse(e.getMessage().contains("from-another-account"), "the token is not in the message");
    }

    @Test
    void tamperedToken_refused401() {
        String good = snowflake.oauth().issue("service", Duration.ofMinutes(5)).reveal();
        String tampered = good.substring(0, good.length() - 1) + (good.endsWith("A") ? "B" : "A");
        assertEquals(1, sql(AccessTokenProvider.fixed(Secret.of(good))).execute("SELECT 1").rows().size());
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class,
                () -> sql(AccessTokenProvider.fixed(Secret.of(tampered))).execute("SELECT 1"));
        assertEquals(OAuthServer.INVALID_CODE, code(e));
    }

    @Test
    void expiredToken_refusedWithTheExpiredCode_aRefreshingProviderGetsANewOneOnThe401() {
        Secret expired = snowflake.oauth().issue("service", Duration.ofSeconds(-1));
        SnowflakeSqlException e = assertThrows(SnowflakeSqlException.class,
                () -> sql(AccessTokenProvider.fixed(expired)).execute("SELECT 1"));
        assertEquals(401, e.httpStatus());
        assertEquals(OAuthServer.EXPIRED_CODE, code(e));

        // a provider that believes its token is good for an hour: the 401 makes it fetch again, once
        AtomicInteger fetches = new AtomicInteger();
        AccessTokenProvider tokens = AccessTokenProvider.refreshing(() -> new AccessToken(fetches.incrementAndGet() == 1
                ? expired : snowflake.oauth().issue("service", Duration.ofMinutes(5)), Instant.now().plusSeconds(3600)));
        assertEquals(1, sql(tokens).execute("SELECT 1").rows().size());
        assertEquals(2, fetches.get());
    }

    @Test
    void emulatorClockPastExpiry_clientRefreshesOnThe401_andAheadOfExpiryOnItsOwnClock() {
        OAuthTokenClient client = OAuthTokenClient.clientCredentials(snowflake.oauthTokenEndpoint(), "service",
                Secret.of(SECRET)).build();
        SqlApiClient sql = sql(client);
        sql.execute("SELECT 1");
        AccessToken first = client.token();
        snowflake.clockSkew(Duration.ofMinutes(11));
        try {
            assertEquals(1, sql.execute("SELECT 1").rows().size(), "401 on the expired token, refreshed once");
            assertNotEquals(first.value().reveal(), client.token().value().reveal());
        } finally {
            snowflake.clockSkew(Duration.ZERO);
        }

        Instant[] now = {Instant.now()};
        Clock moved = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        OAuthTokenClient ahead = OAuthTokenClient.clientCredentials(snowflake.oauthTokenEndpoint(), "service",
                Secret.of(SECRET)).clock(moved).build();
        String t1 = ahead.token().value().reveal();
        now[0] = now[0].plus(Duration.ofSeconds(530));
        assertEquals(t1, ahead.token().value().reveal(), "70 s left: kept");
        now[0] = now[0].plus(Duration.ofSeconds(15));
        assertNotEquals(t1, ahead.token().value().reveal(), "55 s left: renewed before expiry");
    }

    @Test
    void everyJwtRoute_acceptsTheEmulatorsTokens_andRefusesForeignOnes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String good = snowflake.oauth().issue("service", Duration.ofMinutes(5)).reveal();
        for (String[] route : new String[][] {
                {"GET", "/v1/data/pipes/DB.PUBLIC.NO_PIPE/insertReport?requestId=1", ""},
                {"POST", "/v1/streaming/client/configure/", "{\"role\":\"KSBRIDGE_ROLE\"}"},
                {"POST", "/api/v2/statements?requestId=1", "{\"statement\":\"SELECT 1\"}"}}) {
            for (String token : new String[] {good, "foreign-token"}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(snowflake.url() + route[1]))
                        .header("Authorization", "Bearer " + token)
                        .header("X-Snowflake-Authorization-Token-Type", "OAUTH")
                        .header("Content-Type", "application/json");
                HttpRequest request = route[0].equals("GET") ? b.GET().build()
                        : b.POST(HttpRequest.BodyPublishers.ofString(route[2])).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (token.equals(good)) {
                    assertNotEquals(401, response.statusCode(), route[1] + ": " + response.body());
                } else {
                    assertEquals(401, response.statusCode(), route[1]);
                    JsonNode body = HttpJson.MAPPER.readTree(response.body());
                    assertEquals(OAuthServer.INVALID_CODE, body.path("code").asText(), route[1]);
                    assertFalse(body.path("success").asBoolean(true));
                }
            }
        }
    }

    @Test
    void oauthAccount_signsInWithOAuthAsTheEmulatorsUser() {
        SnowflakeAccount account = snowflake.oauthAccount(AccessTokenProvider.fixed(Secret.of("x-token")));
        assertEquals(SnowflakeAccount.Authentication.OAUTH, account.authentication());
        assertEquals(SnowflakeEmulator.USER, account.user());
        assertEquals(snowflake.url() + "/oauth/token-request", snowflake.oauthTokenEndpoint().toString());
    }
}
