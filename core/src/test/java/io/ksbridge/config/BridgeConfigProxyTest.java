package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.ProxySettings;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The connector's jvm.proxy.* keys: read into ProxySettings, checked together, the password never shown. */
class BridgeConfigProxyTest {
    private static final String PASSWORD = "pr0xy-Passw0rd-Secret";

    private static Map<String, String> proxied() {
        Map<String, String> p = new HashMap<>();
        p.put("jvm.proxy.host", "proxy.internal");
        p.put("jvm.proxy.port", "3128");
        p.put("jvm.proxy.username", "squid");
        p.put("jvm.proxy.password", PASSWORD);
        p.put("jvm.nonProxy.hosts", "localhost|*.internal|10.*");
        return p;
    }

    private static String problems(Map<String, String> props) {
        BridgeConfigException e = assertThrows(BridgeConfigException.class, () -> BridgeConfig.from(props));
        assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
        return e.getMessage();
    }

    @Test
    void proxyKeys_all_becomeProxySettings() {
        ProxySettings proxy = BridgeConfig.from(proxied()).proxy().orElseThrow();
        assertEquals("proxy.internal", proxy.host());
        assertEquals(3128, proxy.port());
        assertEquals(Optional.of("squid"), proxy.user());
        assertEquals(Secret.of(PASSWORD), proxy.password().orElseThrow());
        assertEquals(List.of("localhost", "*.internal", "10.*"), proxy.nonProxyHosts());
        assertTrue(proxy.bypasses("db.internal"));
        assertFalse(proxy.bypasses("xy12345.snowflakecomputing.com"));
    }

    @Test
    void proxyKeys_unset_noProxy() {
        assertEquals(Optional.empty(), BridgeConfig.from(Map.of()).proxy());
    }

    @Test
    void account_withProxyKeys_carriesTheProxyAndHidesThePassword() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Map<String, String> p = proxied();
        p.put("snowflake.url.name", "https://xy12345.snowflakecomputing.com");
        p.put("snowflake.user.name", "loader");
        p.put("snowflake.private.key", Base64.getEncoder().encodeToString(g.generateKeyPair().getPrivate().getEncoded()));
        BridgeConfig config = BridgeConfig.from(p);
        SnowflakeAccount account = config.account();
        assertEquals(config.proxy(), account.proxy());
        assertTrue(account.toString().endsWith(", proxy=ProxySettings{proxy.internal:3128, user=squid, password=[hidden],"
                + " nonProxyHosts=[localhost, *.internal, 10.*]}}"), account.toString());
        assertTrue(config.toString().contains("jvm.proxy.password=[hidden]"), config.toString());
        assertFalse(config.toString().contains(PASSWORD));
    }

    @Test
    void proxyKeys_halves_eachMissingHalfNamed() {
        Map<String, String> p = new HashMap<>();
        p.put("jvm.proxy.host", "proxy.internal");
        p.put("jvm.proxy.username", "squid");
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value null for setting jvm.proxy.port: required with jvm.proxy.host: the proxy's port\n"
                + "  - Invalid value null for setting jvm.proxy.password: required with jvm.proxy.username: the proxy"
                + " user's password", problems(p));
        assertEquals("Invalid value null for setting jvm.proxy.host: required with jvm.proxy.port: the proxy's host",
                problems(Map.of("jvm.proxy.port", "3128")));
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value null for setting jvm.proxy.username: required with jvm.proxy.password: the proxy user\n"
                + "  - Invalid value localhost for setting jvm.nonProxy.hosts: has no effect without jvm.proxy.host and"
                + " jvm.proxy.port; set them, or remove jvm.nonProxy.hosts",
                problems(Map.of("jvm.proxy.password", PASSWORD, "jvm.nonProxy.hosts", "localhost")));
    }

    @Test
    void proxyKeys_badValues_namedWithWhy() {
        Map<String, String> p = proxied();
        p.put("jvm.proxy.host", "http://proxy:3128");
        p.put("jvm.proxy.port", "70000");
        p.put("jvm.nonProxy.hosts", "localhost||a*b*c");
        assertEquals("3 configuration problems:\n"
                + "  - Invalid value http://proxy:3128 for setting jvm.proxy.host: a host name or IPv4 address without"
                + " scheme or port, for example proxy.internal\n"
                + "  - Invalid value 70000 for setting jvm.proxy.port: must be <= 65535\n"
                + "  - Invalid value localhost||a*b*c for setting jvm.nonProxy.hosts: contains an empty host; separate"
                + " hosts with single | characters", problems(p));
    }

    @Test
    void proxyKeys_passwordInTheWrongKeyOrATypo_hidden() {
        Map<String, String> p = proxied();
        p.put("jvm.proxy.pasword", PASSWORD);
        String message = problems(p);
        assertTrue(message.startsWith("Invalid value [hidden] for setting jvm.proxy.pasword: unknown setting"), message);
        assertTrue(message.contains("Did you mean jvm.proxy.password?"), message);
    }
}
