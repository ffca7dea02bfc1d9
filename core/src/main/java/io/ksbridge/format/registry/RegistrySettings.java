package io.ksbridge.format.registry;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Experimental;
import io.ksbridge.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;

/**
 * The schema-registry settings of a format's builder, kept in one place so that every format checks and reports
 * them alike: where writer schemas come from ({@link #schemaRegistry(String)}, with optional client settings, or
 * {@link #schemaRegistry(SchemaRegistryClient)}) and, with a URL, how the {@link SchemaRegistryClient} is set up.
 * The Avro and Protobuf format builders each keep one and hand their registry setters to it; the builder of a
 * custom format that reads Confluent's wire format can do the same.
 *
 * <p>Each setter checks its value at once, with the same messages as {@link SchemaRegistryClient.Builder}, and
 * names the setting as the format's builder calls it. When the format is built, it calls {@link #addProblems} where
 * these settings' problems belong in its list, checks its own rules (which sources may be combined, what
 * {@link #cacheSize()} means to it), and then {@link #buildClient}, which builds the client only when no problem
 * was found.
 *
 * <p>Mutable, not thread-safe: use it from the thread that configures the format. {@link #toString()} names the
 * settings and never contains a secret.
 */
@Experimental
public final class RegistrySettings {
    private final SchemaRegistryClient.Builder clientSettings = SchemaRegistryClient.builder();
    private String url;
    private SchemaRegistryClient client;
    private String basicUser;
    private boolean bearerToken;
    private boolean sslContext;
    private Duration requestTimeout;
    private Integer cacheSize;

    /** Settings with nothing set: no registry, default client settings. */
    public RegistrySettings() {
    }

    /**
     * Writer schemas from the registry at this base URL, through a client built from these settings. No default.
     * The URL is checked when the client is built ({@link #buildClient}): it must be an absolute {@code http} or
     * {@code https} URL without credentials, query or fragment.
     *
     * @param url the registry's base URL, for example {@code http://localhost:8081}; never null
     * @return these settings
     * @throws NullPointerException if {@code url} is null
     */
    public RegistrySettings schemaRegistry(String url) {
        this.url = Objects.requireNonNull(url, "schemaRegistry url must not be null");
        return this;
    }

    /**
     * Writer schemas from this client; its own settings apply, so the client settings here must not be set. No
     * default.
     *
     * @param client the client, never null; may be shared by several formats
     * @return these settings
     * @throws NullPointerException if {@code client} is null
     */
    public RegistrySettings schemaRegistry(SchemaRegistryClient client) {
        this.client = Objects.requireNonNull(client, "schemaRegistry client must not be null");
        return this;
    }

    /**
     * Registry basic authentication (Confluent Cloud: API key and secret). Default: none. Only with
     * {@link #schemaRegistry(String)}; not with {@link #bearerToken}.
     *
     * @param user     the user or API key, never null or empty, without {@code ':'}
     * @param password the password or API secret, never null
     * @return these settings
     * @throws NullPointerException     if either is null
     * @throws IllegalArgumentException if {@code user} is empty or contains {@code ':'}
     */
    public RegistrySettings basicAuth(String user, Secret password) {
        clientSettings.basicAuth(user, password);
        this.basicUser = user;
        return this;
    }

    /**
     * A registry bearer token. Default: none. Only with {@link #schemaRegistry(String)}; not with
     * {@link #basicAuth}.
     *
     * @param token the token, never null
     * @return these settings
     * @throws NullPointerException if {@code token} is null
     */
    public RegistrySettings bearerToken(Secret token) {
        clientSettings.bearerToken(token);
        this.bearerToken = true;
        return this;
    }

    /**
     * TLS for an {@code https} registry (a private CA, client certificates). Default: the JVM's. Only with
     * {@link #schemaRegistry(String)}, and that URL must be {@code https}.
     *
     * @param sslContext the context, never null
     * @return these settings
     * @throws NullPointerException if {@code sslContext} is null
     */
    public RegistrySettings sslContext(SSLContext sslContext) {
        clientSettings.sslContext(sslContext);
        this.sslContext = true;
        return this;
    }

    /**
     * How long one registry request may take. Default 10 s; must be &gt; 0. Only with
     * {@link #schemaRegistry(String)}.
     *
     * @param timeout the timeout, never null
     * @return these settings
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public RegistrySettings requestTimeout(Duration timeout) {
        clientSettings.requestTimeout(timeout);
        this.requestTimeout = timeout;
        return this;
    }

    /**
     * How many schemas are cached: by the client built from a URL, and by the format for what it compiles from
     * them. Default 1000; must be &gt; 0. Which sources it goes with is the format's rule.
     *
     * @param entries the number of entries, &gt; 0
     * @return these settings
     * @throws IllegalArgumentException if {@code entries} is zero or negative
     */
    public RegistrySettings cacheSize(int entries) {
        clientSettings.cacheSize(entries);
        this.cacheSize = entries;
        return this;
    }

    /** The URL given to {@link #schemaRegistry(String)}, or null when none was. */
    public String url() {
        return url;
    }

    /**
     * The URL given to {@link #schemaRegistry(String)} as a message may show it: {@code [hidden]} when it carries
     * credentials (building the client refuses such a URL), or null when none was given.
     */
    public String printableUrl() {
        return url == null ? null : SchemaRegistryClient.printable(url);
    }

    /** The client given to {@link #schemaRegistry(SchemaRegistryClient)}, or null when none was. */
    public SchemaRegistryClient suppliedClient() {
        return client;
    }

    /** True when a URL or a client is set. */
    public boolean isSet() {
        return url != null || client != null;
    }

    /** The {@link #cacheSize(int)} set, or empty when it was left at its default. */
    public OptionalInt cacheSize() {
        return cacheSize == null ? OptionalInt.empty() : OptionalInt.of(cacheSize);
    }

    /**
     * Adds the problems of these settings on their own to {@code problems}: client settings ({@code basicAuth},
     * {@code bearerToken}, {@code sslContext}, {@code requestTimeout}) without a URL to build a client from.
     *
     * @param problems where to add them, never null
     */
    public void addProblems(List<BridgeConfigException.Problem> problems) {
        boolean clientSettingsSet = basicUser != null || bearerToken || sslContext || requestTimeout != null;
        if (clientSettingsSet && url == null) {
            problems.add(new BridgeConfigException.Problem("basicAuth/bearerToken/sslContext/requestTimeout",
                    "set", "registry client settings need schemaRegistry(url); with schemaRegistry(client) set "
                    + "them on the client"));
        }
    }

    /**
     * The client a format built now uses. With a URL and while {@code problems} is still empty, a new client built
     * from these settings; if it cannot be built (a malformed URL, both {@code basicAuth} and {@code bearerToken},
     * an {@code sslContext} with an {@code http} URL), its problems are added to {@code problems}. Otherwise the
     * client given to {@link #schemaRegistry(SchemaRegistryClient)}. Call it after every other check, and throw
     * a {@link BridgeConfigException} when {@code problems} is not empty afterwards.
     *
     * @param problems the problems found so far, never null; this method may add to it
     * @return the client, or null when none was given and none could or should be built
     */
    public SchemaRegistryClient buildClient(List<BridgeConfigException.Problem> problems) {
        if (url == null || !problems.isEmpty()) {
            return client;
        }
        try {
            return clientSettings.url(url).build();
        } catch (BridgeConfigException e) {
            problems.addAll(e.problems());
            return client;
        }
    }

    /** The settings that are set, with no secret: for example {@code RegistrySettings[url=..., auth=basic(user)]}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("RegistrySettings[");
        s.append(url != null ? "url=" + printableUrl() : client != null ? "client=" + client : "no registry");
        if (basicUser != null) {
            s.append(", auth=basic(").append(basicUser).append(')');
        }
        if (bearerToken) {
            s.append(basicUser != null ? "+bearer" : ", auth=bearer");
        }
        if (sslContext) {
            s.append(", sslContext=set");
        }
        if (requestTimeout != null) {
            s.append(", requestTimeout=").append(requestTimeout);
        }
        if (cacheSize != null) {
            s.append(", cacheSize=").append(cacheSize);
        }
        return s.append(']').toString();
    }
}
