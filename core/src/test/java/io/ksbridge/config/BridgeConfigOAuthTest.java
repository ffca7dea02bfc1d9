package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.snowflake.OAuthTokenClient;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The connector's OAuth keys: mapped to an OAuthTokenClient account, every conflict named, secrets hidden. */
class BridgeConfigOAuthTest {
    private static final String SECRET = "client-secret-Zq81wombat";
    private static final String REFRESH = "refresh-token-pelican-77Qx";

    private static Map<String, String> oauth() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("snowflake.url.name", "myorg-myaccount.snowflakecomputing.com");
        p.put("snowflake.user.name", "loader");
        p.put("snowflake.role.name", "INGEST");
        p.put("snowflake.authenticator", "oauth");
        p.put("snowflake.oauth.client.id", "my-client");
        p.put("snowflake.oauth.client.secret", SECRET);
        p.put("snowflake.oauth.refresh.token", REFRESH);
        return p;
    }

    @Test
    void account_connectorOAuthKeys_refreshTokenClientOnSnowflakeOAuthsEndpoint() {
        BridgeConfig config = BridgeConfig.from(oauth());
        assertEquals(BridgeConfig.Authenticator.OAUTH, config.authenticator());
        SnowflakeAccount account = config.account();
        assertEquals(SnowflakeAccount.Authentication.OAUTH, account.authentication());
        OAuthTokenClient client = (OAuthTokenClient) account.oauth().orElseThrow();
        assertEquals(OAuthTokenClient.Grant.REFRESH_TOKEN, client.grant());
        assertEquals(URI.create("https://myorg-myaccount.snowflakecomputing.com/oauth/token-request"), client.tokenEndpoint());
        assertEquals("my-client", client.clientId());
        assertEquals(SECRET, client.clientSecret().reveal());
        assertEquals(REFRESH, client.refreshToken().orElseThrow().reveal());
        assertEquals(Optional.empty(), client.scope());
        assertEquals(Optional.of("INGEST"), account.role());
        for (String text : new String[] {config.toString(), account.toString()}) {
            assertFalse(text.contains("wombat") || text.contains("pelican"), text);
        }
        assertTrue(config.toString().contains("snowflake.authenticator=oauth, snowflake.oauth.client.id=my-client,"
                + " snowflake.oauth.client.secret=[hidden], snowflake.oauth.refresh.token=[hidden]"), config.toString());
    }

    @Test
    void account_noRefreshTokenOwnEndpointAndScope_clientCredentialsWithTheRoleScope() {
        Map<String, String> p = oauth();
        p.remove("snowflake.oauth.refresh.token");
        p.put("snowflake.oauth.token.endpoint", "https://idp.example.com/oauth2/v1/token");
        p.put("snowflake.oauth.include.scope", "true");
        OAuthTokenClient client = (OAuthTokenClient) BridgeConfig.from(p).account().oauth().orElseThrow();
        assertEquals(OAuthTokenClient.Grant.CLIENT_CREDENTIALS, client.grant());
        assertEquals(URI.create("https://idp.example.com/oauth2/v1/token"), client.tokenEndpoint());
        assertEquals(Optional.of("session:role:INGEST"), client.scope());
        p.put("snowflake.oauth.scope", "session:role-any");
        assertEquals(Optional.of("session:role-any"), ((OAuthTokenClient) BridgeConfig.from(p).account().oauth()
                .orElseThrow()).scope());
        p.put("snowflake.oauth.refresh.token", "");
        assertEquals(OAuthTokenClient.Grant.CLIENT_CREDENTIALS, ((OAuthTokenClient) BridgeConfig.from(p).account().oauth()
                .orElseThrow()).grant(), "empty refresh token: client credentials, as the connector does");
    }

    @Test
    void from_conflictingAuthenticationKeys_everyProblemNamedInOneException() {
        Map<String, String> jwt = new LinkedHashMap<>();
        jwt.put("snowflake.oauth.client.id", "my-client");
        jwt.put("snowflake.oauth.client.secret", SECRET);
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(jwt));
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value my-client for setting snowflake.oauth.client.id: only read with"
                + " snowflake.authenticator=oauth (it is snowflake_jwt, the key pair)\n"
                + "  - Invalid value [hidden] for setting snowflake.oauth.client.secret: only read with"
                + " snowflake.authenticator=oauth (it is snowflake_jwt, the key pair)", e.getMessage());

        Map<String, String> p = oauth();
        p.put("snowflake.private.key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
        p.put("snowflake.private.key.passphrase", "pass-phrase-1");
        p.put("snowflake.oauth.scope", "session:role:X");
        p.put("snowflake.authenticator", "OAuth");
        BridgeConfigException both = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(p));
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value [hidden] for setting snowflake.private.key: snowflake.authenticator=oauth signs in"
                + " with OAuth, not a key pair; remove the key, or set snowflake.authenticator=snowflake_jwt\n"
                + "  - Invalid value [hidden] for setting snowflake.private.key.passphrase: snowflake.authenticator=oauth"
                + " uses no private key; remove the passphrase\n"
                + "  - Invalid value session:role:X for setting snowflake.oauth.scope: has no effect unless"
                + " snowflake.oauth.include.scope=true (no scope is sent); set that, or remove the scope",
                both.getMessage());

        BridgeConfigException bad = assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(Map.of("snowflake.authenticator", "password")));
        assertEquals("Invalid value password for setting snowflake.authenticator: expected one of snowflake_jwt, oauth"
                + " (any case)", bad.getMessage());
    }

    @Test
    void account_oauthWithoutClient_namesTheMissingKeys() {
        Map<String, String> p = oauth();
        p.remove("snowflake.oauth.client.id");
        p.remove("snowflake.oauth.client.secret");
        p.remove("snowflake.role.name");
        p.put("snowflake.oauth.include.scope", "true");
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(p).account());
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value null for setting snowflake.oauth.client.id: required with snowflake.authenticator=oauth:"
                + " the OAuth client id\n"
                + "  - Invalid value null for setting snowflake.oauth.client.secret: required with"
                + " snowflake.authenticator=oauth: the OAuth client secret\n"
                + "  - Invalid value true for setting snowflake.oauth.include.scope: needs snowflake.oauth.scope, or"
                + " snowflake.role.name to request session:role:<role>", e.getMessage());
    }

    @Test
    void from_mistypedOAuthSecretKey_valueHiddenAndKeySuggested() {
        Map<String, String> p = oauth();
        p.put("snowflake.oauth.client.secert", SECRET);
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(p));
        assertEquals("Invalid value [hidden] for setting snowflake.oauth.client.secert: unknown setting: ksbridge does not"
                + " read it, so it would have no effect; remove it. Did you mean snowflake.oauth.client.secret?"
                + " BridgeConfig.keys() lists the settings ksbridge reads.", e.getMessage());
    }
}
