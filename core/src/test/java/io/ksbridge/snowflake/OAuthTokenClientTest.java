package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OAuth client against a scripted local token endpoint: what it sends, what it keeps, how it fails. */
class OAuthTokenClientTest {
    private static final String SECRET = "client-secret-Zq81wombat";
    private static final String REFRESH = "refresh-token-pelican-77Qx";
    private HttpServer server;
    private URI endpoint;
    private final Queue<String[]> script = new ConcurrentLinkedQueue<>(); // {status, body}
    private final Queue<String> requests = new ConcurrentLinkedQueue<>(); // "authorization | form"

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/oauth/token-request", this::answer);
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/oauth/token-request");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String form = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(ex.getRequestMethod() + " " + ex.getRequestHeaders().getFirst("Content-Type") + " | "
                + ex.getRequestHeaders().getFirst("Authorization") + " | " + form);
        String[] next = script.poll();
        byte[] out = next[1].getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(Integer.parseInt(next[0]), out.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(out);
        }
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void clientCredentials_token_postsTheGrantWithBasicAuthAndKeepsTheTokenUntilNearExpiry() {
        script.add(new String[] {"200", "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":600}"});
        OAuthTokenClient client = OAuthTokenClient.clientCredentials(endpoint, "loader", Secret.of(SECRET))
                .scope("session:role:INGEST").build();
        AccessToken t = client.token();
        assertEquals("at-1", t.value().reveal());
        assertTrue(t.expiresAt() != null);
        assertEquals("at-1", client.token().value().reveal(), "kept: one request");
        assertEquals("POST application/x-www-form-urlencoded | " + basic("loader", SECRET)
                + " | grant_type=client_credentials&scope=session%3Arole%3AINGEST", requests.poll());
        assertEquals(null, requests.poll());
        assertEquals(OAuthTokenClient.Grant.CLIENT_CREDENTIALS, client.grant());
        assertTrue(client.refreshToken().isEmpty());
    }

    @Test
    void refreshToken_rotatedRefreshTokenInTheAnswer_usedForTheNextRequest() {
        script.add(new String[] {"200", "{\"access_token\":\"at-1\",\"expires_in\":600,\"refresh_token\":\"rt-2\"}"});
        script.add(new String[] {"200", "{\"access_token\":\"at-2\",\"expires_in\":600}"});
        OAuthTokenClient client = OAuthTokenClient.refreshToken(endpoint, "loader", Secret.of(SECRET), Secret.of(REFRESH))
                .build();
        AccessToken first = client.token();
        assertEquals("at-2", client.refresh(first).value().reveal());
        assertEquals("POST application/x-www-form-urlencoded | " + basic("loader", SECRET)
                + " | grant_type=refresh_token&refresh_token=" + REFRESH, requests.poll());
        assertTrue(requests.poll().endsWith("| grant_type=refresh_token&refresh_token=rt-2"));
        assertEquals(REFRESH, client.refreshToken().orElseThrow().reveal(), "the configured one, for SDKs");
    }

    @Test
    void token_endpointRefusesTheClient_notRetriableAndNamesTheProblemWithoutSecrets() {
        script.add(new String[] {"401", "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication"
                + " failed\"}"});
        OAuthTokenClient client = OAuthTokenClient.refreshToken(endpoint, "loader", Secret.of(SECRET), Secret.of(REFRESH))
                .build();
        IngestException e = assertThrows(IngestException.class, client::token);
        assertFalse(e.isRetriable());
        assertEquals("the OAuth token endpoint " + endpoint + " refused the refresh_token grant of client loader:"
                + " invalid_client: Client authentication failed (HTTP 401). Check the client id and secret and the"
                + " refresh token (it may have expired or been revoked), and that the endpoint is the identity provider's"
                + " token endpoint.", e.getMessage());
        assertEquals(1, requests.size());
    }

    @Test
    void token_errorAnswerEchoingTheRefreshToken_notShown() {
        script.add(new String[] {"400", "{\"error\":\"invalid_grant\",\"error_description\":\"unknown token " + REFRESH
                + "\"}"});
        OAuthTokenClient client = OAuthTokenClient.refreshToken(endpoint, "loader", Secret.of(SECRET), Secret.of(REFRESH))
                .build();
        IngestException e = assertThrows(IngestException.class, client::token);
        assertFalse(e.getMessage().contains("pelican"), e.getMessage());
        assertTrue(e.getMessage().contains("(its answer would show part of a secret, so it is not shown) (HTTP 400)"),
                e.getMessage());
    }

    @Test
    void token_503ThenOk_retriedAndSucceeds_503ThreeTimes_retriableFailure() {
        script.add(new String[] {"503", "{}"});
        script.add(new String[] {"200", "{\"access_token\":\"at-1\",\"expires_in\":600}"});
        OAuthTokenClient client = OAuthTokenClient.clientCredentials(endpoint, "loader", Secret.of(SECRET)).build();
        assertEquals("at-1", client.token().value().reveal());
        assertEquals(2, requests.size());
        requests.clear();
        for (int i = 0; i < 3; i++) {
            script.add(new String[] {"503", "{\"error\":\"temporarily_unavailable\"}"});
        }
        OAuthTokenClient down = OAuthTokenClient.clientCredentials(endpoint, "loader", Secret.of(SECRET))
                .requestTimeout(Duration.ofSeconds(5)).build();
        IngestException e = assertThrows(IngestException.class, down::token);
        assertTrue(e.isRetriable());
        assertEquals(3, requests.size());
    }

    @Test
    void token_200WithoutAccessToken_refused() {
        script.add(new String[] {"200", "{\"token_type\":\"Bearer\"}"});
        IngestException e = assertThrows(IngestException.class,
                () -> OAuthTokenClient.clientCredentials(endpoint, "loader", Secret.of(SECRET)).build().token());
        assertEquals("the OAuth token endpoint " + endpoint + " answered without an access_token", e.getMessage());
    }

    @Test
    void toString_clientAndBuilder_neverShowSecretOrRefreshToken() {
        OAuthTokenClient.Builder b = OAuthTokenClient.refreshToken(endpoint, "loader", Secret.of(SECRET), Secret.of(REFRESH));
        for (String text : new String[] {b.toString(), b.build().toString()}) {
            assertFalse(text.contains("wombat"), text);
            assertFalse(text.contains("pelican"), text);
            assertTrue(text.contains("clientSecret=[hidden]") && text.contains("refreshToken=[hidden]"), text);
        }
        assertEquals("OAuthTokenClient{grant=refresh_token, tokenEndpoint=" + endpoint + ", clientId=loader,"
                + " clientSecret=[hidden], refreshToken=[hidden], scope=null}", b.build().toString());
    }

    @Test
    void factories_badValues_failAtOnce() {
        assertEquals("tokenEndpoint must be an https URL (or http for a local emulator) with a host name",
                assertThrows(IllegalArgumentException.class, () -> OAuthTokenClient.clientCredentials(
                        URI.create("ftp://idp/token"), "c", Secret.of("s"))).getMessage());
        assertEquals("clientSecret must not be empty", assertThrows(IllegalArgumentException.class,
                () -> OAuthTokenClient.clientCredentials(endpoint, "c", Secret.of(""))).getMessage());
        assertEquals("refreshToken must not be empty", assertThrows(IllegalArgumentException.class,
                () -> OAuthTokenClient.refreshToken(endpoint, "c", Secret.of("s"), Secret.of(""))).getMessage());
    }
}
