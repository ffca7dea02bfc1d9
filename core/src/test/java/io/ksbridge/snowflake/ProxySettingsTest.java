package io.ksbridge.snowflake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxySettingsTest {
    private static final ProxySettings PROXY = ProxySettings.builder().host("proxy.internal").port(3128)
            .credentials("squid", Secret.of("s3cret-proxy-pw")).nonProxyHosts("localhost", "*.INTERNAL", "10.*").build();

    @Test
    void bypasses_matchesNamesSuffixesAndPrefixesIgnoringCase() {
        assertTrue(PROXY.bypasses("localhost"));
        assertTrue(PROXY.bypasses("db.internal"));
        assertTrue(PROXY.bypasses("10.1.2.3"));
        assertFalse(PROXY.bypasses("localhost.example.com"));
        assertFalse(PROXY.bypasses("xy12345.snowflakecomputing.com"));
        assertFalse(PROXY.bypasses("110.1.2.3"));
    }

    @Test
    void selector_proxiesAllButNonProxyHosts() {
        Proxy expected = new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved("proxy.internal", 3128));
        assertEquals(List.of(expected), PROXY.selector().select(URI.create("https://xy12345.snowflakecomputing.com/api")));
        assertEquals(List.of(Proxy.NO_PROXY), PROXY.selector().select(URI.create("http://localhost:8080/")));
    }

    @Test
    void preemptiveAuthorization_basicForProxiedHostsOnly() {
        assertEquals(java.util.Optional.of("Basic c3F1aWQ6czNjcmV0LXByb3h5LXB3"),
                PROXY.preemptiveAuthorization(URI.create("https://xy12345.snowflakecomputing.com/api")));
        assertTrue(PROXY.preemptiveAuthorization(URI.create("http://db.internal/")).isEmpty(), "bypassed host");
        assertTrue(ProxySettings.builder().host("p").port(1).build()
                .preemptiveAuthorization(URI.create("https://xy12345.snowflakecomputing.com/")).isEmpty(), "no user");
    }

    @Test
    void applyTo_setsOnlyTheSelector_noAuthenticator() {
        java.net.http.HttpClient client = PROXY.applyTo(java.net.http.HttpClient.newBuilder()).build();
        assertTrue(client.proxy().isPresent());
        assertTrue(client.authenticator().isEmpty(), "an authenticator would drop the requests' Authorization header");
    }

    @Test
    void toString_hidesThePassword() {
        assertEquals("ProxySettings{proxy.internal:3128, user=squid, password=[hidden], nonProxyHosts=[localhost,"
                + " *.INTERNAL, 10.*]}", PROXY.toString());
    }

    @Test
    void builder_badValues_failNamingTheSetting() {
        assertEquals("port must be between 1 and 65535, was 0",
                assertThrows(IllegalArgumentException.class, () -> ProxySettings.builder().port(0)).getMessage());
        assertEquals("host must be a host name or IPv4 address without scheme or port, was 'http://p'",
                assertThrows(IllegalArgumentException.class, () -> ProxySettings.builder().host("http://p")).getMessage());
        assertEquals("nonProxyHosts pattern 'a*b' has * in its middle; put * only at the start (*.internal) or the end (10.*)",
                assertThrows(IllegalArgumentException.class, () -> ProxySettings.builder().nonProxyHosts("a*b")).getMessage());
        assertEquals("2 configuration problems:\n"
                + "  - Invalid value null for setting proxy.host: the proxy's host is required\n"
                + "  - Invalid value null for setting proxy.port: the proxy's port is required",
                assertThrows(BridgeConfigException.class, () -> ProxySettings.builder().build()).getMessage());
    }
}
