package io.ksbridge.format.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

class RegistrySettingsTest {

    private static String message(Class<? extends Exception> type, Runnable setter) {
        return assertThrows(type, setter::run).getMessage();
    }

    @Test
    void setters_badValues_rejectedAtOnceNamingTheSetting() {
        RegistrySettings s = new RegistrySettings();

        assertEquals("schemaRegistry url must not be null",
                message(NullPointerException.class, () -> s.schemaRegistry((String) null)));
        assertEquals("schemaRegistry client must not be null",
                message(NullPointerException.class, () -> s.schemaRegistry((SchemaRegistryClient) null)));
        assertEquals("basicAuth user must not be null",
                message(NullPointerException.class, () -> s.basicAuth(null, Secret.of("p"))));
        assertEquals("basicAuth password must not be null",
                message(NullPointerException.class, () -> s.basicAuth("u", null)));
        assertEquals("basicAuth user must not be empty",
                message(IllegalArgumentException.class, () -> s.basicAuth("", Secret.of("p"))));
        assertEquals("basicAuth user must not contain ':'",
                message(IllegalArgumentException.class, () -> s.basicAuth("a:b", Secret.of("p"))));
        assertEquals("bearerToken must not be null", message(NullPointerException.class, () -> s.bearerToken(null)));
        assertEquals("sslContext must not be null", message(NullPointerException.class, () -> s.sslContext(null)));
        assertEquals("requestTimeout must not be null",
                message(NullPointerException.class, () -> s.requestTimeout(null)));
        assertEquals("requestTimeout must be > 0, was PT0S",
                message(IllegalArgumentException.class, () -> s.requestTimeout(Duration.ZERO)));
        assertEquals("requestTimeout must be > 0, was PT-1S",
                message(IllegalArgumentException.class, () -> s.requestTimeout(Duration.ofSeconds(-1))));
        assertEquals("cacheSize must be > 0, was 0", message(IllegalArgumentException.class, () -> s.cacheSize(0)));
        assertEquals("RegistrySettings[no registry]", s.toString(), "a rejected value leaves nothing set");
    }

    @Test
    void nothingSet_noProblemNoClient() {
        RegistrySettings s = new RegistrySettings();
        List<BridgeConfigException.Problem> problems = new ArrayList<>();

        s.addProblems(problems);

        assertFalse(s.isSet());
        assertNull(s.buildClient(problems));
        assertEquals(List.of(), problems);
        assertEquals(OptionalInt.empty(), s.cacheSize());
    }

    @Test
    void url_withClientSettings_clientBuiltWithThem() {
        RegistrySettings s = new RegistrySettings().schemaRegistry("http://localhost:8081/")
                .basicAuth("api-key", Secret.of("api-secret")).requestTimeout(Duration.ofSeconds(3)).cacheSize(7);
        List<BridgeConfigException.Problem> problems = new ArrayList<>();

        s.addProblems(problems);
        SchemaRegistryClient client = s.buildClient(problems);

        assertEquals(List.of(), problems);
        assertTrue(s.isSet());
        assertEquals(OptionalInt.of(7), s.cacheSize());
        assertEquals("SchemaRegistryClient[url=http://localhost:8081, auth=basic(api-key), requestTimeout=PT3S, "
                + "cacheSize=7]", client.toString());
    }

    @Test
    void suppliedClient_returnedAsIs() {
        SchemaRegistryClient mine = SchemaRegistryClient.of("http://localhost:8081");
        RegistrySettings s = new RegistrySettings().schemaRegistry(mine);
        List<BridgeConfigException.Problem> problems = new ArrayList<>();

        s.addProblems(problems);

        assertSame(mine, s.buildClient(problems));
        assertSame(mine, s.suppliedClient());
        assertNull(s.url());
        assertEquals(List.of(), problems);
    }

    @Test
    void clientSettings_withoutUrl_oneProblem() throws Exception {
        RegistrySettings s = new RegistrySettings().schemaRegistry(SchemaRegistryClient.of("http://localhost:8081"))
                .bearerToken(Secret.of("t")).sslContext(SSLContext.getDefault());
        List<BridgeConfigException.Problem> problems = new ArrayList<>();

        s.addProblems(problems);

        assertEquals(List.of(new BridgeConfigException.Problem("basicAuth/bearerToken/sslContext/requestTimeout", "set",
                "registry client settings need schemaRegistry(url); with schemaRegistry(client) set them on the "
                        + "client")), problems);
    }

    @Test
    void buildClient_clientProblems_addedAfterTheOthers() throws Exception {
        RegistrySettings s = new RegistrySettings().schemaRegistry("http://localhost:8081")
                .basicAuth("u", Secret.of("p")).bearerToken(Secret.of("t")).sslContext(SSLContext.getDefault());
        List<BridgeConfigException.Problem> problems = new ArrayList<>();

        assertNull(s.buildClient(problems));

        assertEquals("Invalid value basic(u) for setting basicAuth: basicAuth and bearerToken cannot both be set: "
                + "choose one", problems.get(0).toString());
        assertEquals("Invalid value set for setting sslContext: sslContext is set but url http://localhost:8081 is "
                + "plain http: use an https url or drop sslContext", problems.get(1).toString());
        assertEquals(2, problems.size());
    }

    @Test
    void buildClient_earlierProblems_noClientBuiltNorChecked() {
        RegistrySettings s = new RegistrySettings().schemaRegistry("not a url");
        BridgeConfigException.Problem earlier = new BridgeConfigException.Problem("descriptor", null, "set one");
        List<BridgeConfigException.Problem> problems = new ArrayList<>(List.of(earlier));

        assertNull(s.buildClient(problems));
        assertEquals(List.of(earlier), problems);
    }

    @Test
    void toString_namesSettings_neverSecrets() throws Exception {
        RegistrySettings s = new RegistrySettings().schemaRegistry("https://registry:8081")
                .basicAuth("api-key", Secret.of("api-secret")).bearerToken(Secret.of("tok-123"))
                .sslContext(SSLContext.getDefault()).requestTimeout(Duration.ofSeconds(2)).cacheSize(5);

        assertEquals("RegistrySettings[url=https://registry:8081, auth=basic(api-key)+bearer, sslContext=set, "
                + "requestTimeout=PT2S, cacheSize=5]", s.toString());
        String withCredentials = new RegistrySettings().schemaRegistry("https://u:pw@registry:8081").toString();
        assertEquals("RegistrySettings[url=[hidden]]", withCredentials);
        assertEquals("[hidden]", new RegistrySettings().schemaRegistry("https://u:pw@registry:8081").printableUrl());
        assertEquals("https://registry:8081", s.printableUrl());
    }
}
