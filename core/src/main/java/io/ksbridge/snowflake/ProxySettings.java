package io.ksbridge.snowflake;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Experimental;
import io.ksbridge.Secret;
import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP proxy for one account's connections: host, port, optional credentials and the hosts reached directly.
 * Set on {@link SnowflakeAccount.Builder#proxy(ProxySettings)}; applied to ksbridge's own HTTP clients (the SQL API
 * client) through a {@link ProxySelector} set on that client alone and, with credentials, a Basic
 * {@code Proxy-Authorization} header on that client's requests; never through the JVM-wide {@code http.proxyHost}
 * properties, {@code ProxySelector.setDefault} or {@code Authenticator.setDefault}, so other code in the same JVM is
 * not affected.
 * <pre>{@code
 * ProxySettings proxy = ProxySettings.builder()
 *     .host("proxy.internal").port(3128)
 *     .credentials("loader", Secret.of(password))     // optional: Basic authentication to the proxy
 *     .nonProxyHosts("localhost", "*.internal")        // optional: reached directly
 *     .build();
 * }</pre>
 *
 * <p>The Snowflake ingest SDK reads its proxy only from JVM-wide system properties, so the Snowpipe and Streaming
 * backends refuse an account with a proxy (see their builders).
 *
 * <p>Why a header and not an {@link Authenticator}: the JDK's {@code HttpClient} drops a request's own
 * {@code Authorization} header when the client has an authenticator, and that header carries Snowflake's token.
 * HTTPS goes through the proxy with {@code CONNECT}, and the JDK sends Basic credentials with {@code CONNECT} only
 * when the JVM is started with {@code -Djdk.http.auth.tunneling.disabledSchemes=} (by default it disables Basic for
 * tunnels): a JVM-wide choice ksbridge leaves to the application. A proxy without credentials needs neither.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows the password as {@code [hidden]}.
 */
@Experimental
public final class ProxySettings {
    private final String host;
    private final int port;
    private final String user;
    private final Secret password;
    private final List<String> nonProxyHosts;

    private ProxySettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.nonProxyHosts = List.copyOf(b.nonProxyHosts);
    }

    /** A new builder; every setting starts unset. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The proxy's host name or address; never null. */
    public String host() {
        return host;
    }

    /** The proxy's port, 1 to 65535. */
    public int port() {
        return port;
    }

    /** The user to authenticate to the proxy with, or empty for a proxy without authentication. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The proxy password, present exactly when {@link #user()} is. Never printed. */
    public Optional<Secret> password() {
        return Optional.ofNullable(password);
    }

    /**
     * The patterns of hosts reached directly, as written: a host name, or a name with {@code *} at its start or
     * end ({@code *.internal}, {@code 10.*}), matched without regard to case. Never null.
     */
    public List<String> nonProxyHosts() {
        return nonProxyHosts;
    }

    /**
     * Whether {@code targetHost} is reached directly, because it matches one of {@link #nonProxyHosts()}.
     *
     * @param targetHost a host name or address, never null
     * @return true to bypass the proxy
     */
    public boolean bypasses(String targetHost) {
        Objects.requireNonNull(targetHost, "targetHost must not be null");
        String h = targetHost.toLowerCase(Locale.ROOT);
        for (String pattern : nonProxyHosts) {
            String p = pattern.toLowerCase(Locale.ROOT);
            if (p.equals("*")
                    || p.startsWith("*") && h.endsWith(p.substring(1))
                    || p.endsWith("*") && h.startsWith(p.substring(0, p.length() - 1))
                    || p.equals(h)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A selector that sends every URI through this proxy except those whose host {@link #bypasses bypasses} it. For
     * one client's use ({@link HttpClient.Builder#proxy}); never install it with {@code ProxySelector.setDefault}.
     *
     * @return a new selector, never null
     */
    public ProxySelector selector() {
        return new Selector(this);
    }

    /**
     * Sets this proxy's {@link #selector()} on {@code builder}. Touches nothing JVM-wide. Credentials are not set
     * here (an authenticator would make the client drop its requests' {@code Authorization} headers): ksbridge's
     * clients add the {@code Proxy-Authorization} header themselves.
     *
     * @param builder a JDK HTTP client builder, never null
     * @return the same builder
     */
    public HttpClient.Builder applyTo(HttpClient.Builder builder) {
        Objects.requireNonNull(builder, "builder must not be null");
        builder.proxy(selector());
        return builder;
    }

    /**
     * The {@code Proxy-Authorization} value (Basic) for a request to {@code target} through this proxy, sent up
     * front with every request. The JDK sends it to the proxy only: with a plain-{@code http} request, and with
     * {@code CONNECT} for {@code https} when Basic is enabled for tunnels; never to the server. Empty without
     * credentials or for a bypassed host.
     */
    Optional<String> preemptiveAuthorization(URI target) {
        if (user == null || target.getHost() == null || bypasses(target.getHost())) {
            return Optional.empty();
        }
        String pair = user + ":" + password.reveal();
        return Optional.of("Basic " + java.util.Base64.getEncoder()
                .encodeToString(pair.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** {@code host:port}, the user and non-proxy hosts; the password as {@code [hidden]}. */
    @Override
    public String toString() {
        return "ProxySettings{" + host + ":" + port + ", user=" + user + ", password=" + (password == null ? null : "[hidden]")
                + ", nonProxyHosts=" + nonProxyHosts + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxySettings p && host.equals(p.host) && port == p.port && Objects.equals(user, p.user)
                && Objects.equals(password, p.password) && nonProxyHosts.equals(p.nonProxyHosts);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, user, nonProxyHosts);
    }

    private static final class Selector extends ProxySelector {
        private final ProxySettings settings;
        private final List<Proxy> through;

        Selector(ProxySettings settings) {
            this.settings = settings;
            this.through = List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(settings.host, settings.port)));
        }

        @Override
        public List<Proxy> select(URI uri) {
            Objects.requireNonNull(uri, "uri must not be null");
            String target = uri.getHost();
            return target != null && settings.bypasses(target) ? List.of(Proxy.NO_PROXY) : through;
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
            // nothing to remember: there is one proxy, and the client reports the failure
        }
    }

    /**
     * Builds {@link ProxySettings}. Setters reject bad values at once; {@link #build()} checks that host and port
     * are set. Mutable, not thread-safe.
     */
    public static final class Builder {
        private String host;
        private int port;
        private String user;
        private Secret password;
        private final List<String> nonProxyHosts = new ArrayList<>();

        private Builder() {
        }

        /**
         * The proxy's host name or address. Required.
         *
         * @throws NullPointerException if host is null
         * @throws IllegalArgumentException if host is blank or contains {@code :}, {@code /} or whitespace
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host must not be null");
            String h = host.trim();
            if (h.isEmpty() || h.contains("/") || h.contains(":") || h.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("host must be a host name or IPv4 address without scheme or port, was '"
                        + host + "'");
            }
            this.host = h;
            return this;
        }

        /**
         * The proxy's port. Required; 1 to 65535.
         *
         * @throws IllegalArgumentException if port is out of range
         */
        public Builder port(int port) {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The user and password for the proxy's Basic authentication. Optional: by default the proxy is used without
         * credentials.
         *
         * @throws NullPointerException if user or password is null
         * @throws IllegalArgumentException if user is blank
         */
        public Builder credentials(String user, Secret password) {
            Objects.requireNonNull(user, "user must not be null");
            Objects.requireNonNull(password, "password must not be null");
            if (user.isBlank()) {
                throw new IllegalArgumentException("user must not be blank");
            }
            this.user = user.trim();
            this.password = password;
            return this;
        }

        /**
         * Hosts reached directly, adding to those set before: host names, or names with {@code *} at the start or
         * end. Default: none (every host through the proxy).
         *
         * @throws NullPointerException if a pattern is null
         * @throws IllegalArgumentException if a pattern is blank or has {@code *} in its middle
         */
        public Builder nonProxyHosts(String... patterns) {
            Objects.requireNonNull(patterns, "nonProxyHosts must not be null");
            for (String pattern : patterns) {
                Objects.requireNonNull(pattern, "nonProxyHosts must not contain null");
                String p = pattern.trim();
                if (p.isEmpty()) {
                    throw new IllegalArgumentException("nonProxyHosts must not contain a blank pattern");
                }
                String inner = p.length() > 2 ? p.substring(1, p.length() - 1) : "";
                if (inner.contains("*")) {
                    throw new IllegalArgumentException("nonProxyHosts pattern '" + p + "' has * in its middle; put * only"
                            + " at the start (*.internal) or the end (10.*)");
                }
                nonProxyHosts.add(p);
            }
            return this;
        }

        /**
         * Builds the settings.
         *
         * @throws BridgeConfigException naming host and port when they are missing
         */
        public ProxySettings build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            if (host == null) {
                problems.add(new BridgeConfigException.Problem("proxy.host", null, "the proxy's host is required"));
            }
            if (port == 0) {
                problems.add(new BridgeConfigException.Problem("proxy.port", null, "the proxy's port is required"));
            }
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new ProxySettings(this);
        }

        /** The settings, the password as {@code [hidden]}. */
        @Override
        public String toString() {
            return "ProxySettings.Builder{host=" + host + ", port=" + port + ", user=" + user + ", password="
                    + (password == null ? null : "[hidden]") + ", nonProxyHosts=" + nonProxyHosts + "}";
        }
    }
}
