package io.ksbridge.snowflake;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.Secret;
import io.ksbridge.internal.secrets.SecretFragments;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a Snowflake account is and how to sign in to it: with a key pair, as Snowflake's own clients do, or with
 * OAuth access tokens ({@link Builder#oauth}). Built with {@link #builder()}:
 * <pre>{@code
 * SnowflakeAccount account = SnowflakeAccount.builder()
 *     .url("https://myorg-myaccount.snowflakecomputing.com")
 *     .user("KSBRIDGE").role("INGEST")
 *     .privateKey(Secret.of(pem))          // PKCS#8 PEM; .passphrase(Secret) when it is encrypted
 *     .build();
 * // or, with OAuth instead of the key pair:
 *     .oauth(OAuthTokenClient.refreshToken(tokenEndpoint, clientId, Secret.of(clientSecret), Secret.of(refreshToken)).build())
 * }</pre>
 *
 * <p>Immutable and thread-safe. The private key is decoded once, at {@code build()}, and never printed:
 * {@link #toString()} shows {@code [hidden]} in its place. {@link #jwt()} hands out the key-pair JWT Snowflake's
 * REST endpoints expect, renewed before it expires.
 */
public final class SnowflakeAccount {
    /** How long a JWT lives: 59 minutes, as Snowflake's clients issue them (Snowflake accepts at most one hour). */
    public static final Duration JWT_LIFETIME = Duration.ofMinutes(59);

    private final URI url;
    private final String accountName;
    private final String user;
    private final String role;
    private final String warehouse;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String fingerprint;
    private final KeyPairJwt jwt;
    private final AccessTokenProvider oauth;
    private final String shown;
    private final ProxySettings proxy;

    /** How an account signs in. */
    public enum Authentication {
        /** Key-pair JWTs signed with {@link #privateKey()} (Snowflake's {@code KEYPAIR_JWT}). */
        KEY_PAIR,
        /** OAuth access tokens from {@link #oauth()} (Snowflake's {@code OAUTH}). */
        OAUTH
    }

    private SnowflakeAccount(Builder b, URI url, PrivateKey key) {
        this.url = url;
        this.accountName = b.accountName != null ? b.accountName.toUpperCase(Locale.ROOT) : accountNameOf(url);
        this.user = b.user.toUpperCase(Locale.ROOT);
        this.role = b.role;
        this.warehouse = b.warehouse;
        this.proxy = b.proxy;
        this.privateKey = key;
        this.publicKey = key == null ? null : PemKeys.publicKeyOf(key);
        this.fingerprint = key == null ? null : fingerprintOf(publicKey);
        this.jwt = key == null ? null : new KeyPairJwt(accountName, user, fingerprint, key, b.clock);
        this.oauth = b.oauth;
        SecretFragments secrets = b.secrets();
        this.shown = "SnowflakeAccount{url=" + secrets.shown(url.toString()) + ", accountName=" + secrets.shown(accountName)
                + ", user=" + secrets.shown(user) + ", role=" + secrets.shown(role) + ", warehouse="
                + secrets.shown(warehouse) + (key != null ? ", privateKey=[hidden], publicKeyFingerprint=" + fingerprint
                : ", oauth=" + secrets.shown(String.valueOf(oauth))) + "}";
    }

    /** A new builder; every setting starts unset. Not thread-safe. */
    public static Builder builder() {
        return new Builder();
    }

    /** The account URL, for example {@code https://myorg-myaccount.snowflakecomputing.com}; never null. */
    public URI url() {
        return url;
    }

    /** {@code https} or {@code http} (the emulator); never null. */
    public String scheme() {
        return url.getScheme();
    }

    /** The host name of {@link #url()}; never null. */
    public String host() {
        return url.getHost();
    }

    /** The port of {@link #url()}, 443 for https and 80 for http when the URL names none. */
    public int port() {
        if (url.getPort() > 0) {
            return url.getPort();
        }
        return "http".equals(url.getScheme()) ? 80 : 443;
    }

    /**
     * The account name as it appears in JWTs (upper case): set explicitly with {@link Builder#accountName}, or
     * the first label of the host ({@code myorg-myaccount} for {@code myorg-myaccount.snowflakecomputing.com},
     * {@code xy12345} for {@code xy12345.us-east-1.snowflakecomputing.com}); never null.
     */
    public String accountName() {
        return accountName;
    }

    /** The user name, upper case as Snowflake resolves it; never null. */
    public String user() {
        return user;
    }

    /** The role statements run as, or empty for the user's default role. */
    public Optional<String> role() {
        return Optional.ofNullable(role);
    }

    /** The warehouse statements run in, or empty for the user's default (DDL, LIST and REMOVE need none). */
    public Optional<String> warehouse() {
        return Optional.ofNullable(warehouse);
    }

    /** How this account signs in: {@link Authentication#OAUTH} when built with {@link Builder#oauth}; never null. */
    public Authentication authentication() {
        return oauth != null ? Authentication.OAUTH : Authentication.KEY_PAIR;
    }

    /** Where the OAuth access tokens come from, or empty for a key-pair account. */
    public Optional<AccessTokenProvider> oauth() {
        return Optional.ofNullable(oauth);
    }

    /**
     * The decoded RSA private key, for SDKs that sign their own tokens. Never log it. Never null.
     *
     * @throws IllegalStateException when the account signs in with OAuth (see {@link #authentication()})
     */
    public PrivateKey privateKey() {
        return keyPair("privateKey()", privateKey);
    }

    /**
     * The RSA public key matching {@link #privateKey()}; never null.
     *
     * @throws IllegalStateException when the account signs in with OAuth
     */
    public PublicKey publicKey() {
        return keyPair("publicKey()", publicKey);
    }

    /**
     * The public key fingerprint Snowflake shows as {@code RSA_PUBLIC_KEY_FP}: {@code SHA256:} + base64 of the
     * SHA-256 of the public key's DER encoding. Never null.
     *
     * @throws IllegalStateException when the account signs in with OAuth
     */
    public String publicKeyFingerprint() {
        return keyPair("publicKeyFingerprint()", fingerprint);
    }

    private <T> T keyPair(String what, T value) {
        if (value == null) {
            throw new IllegalStateException(what + " is not available: account " + accountName + " signs in with OAuth,"
                    + " not a key pair");
        }
        return value;
    }

    /**
     * A key-pair JWT for this account ({@code iss=ACCOUNT.USER.SHA256:fp}, {@code sub=ACCOUNT.USER}, RS256),
     * valid for {@link #JWT_LIFETIME}; the same token is handed out until it has less than five minutes left.
     * Thread-safe.
     *
     * @return the token, never null
     * @throws IllegalStateException when the account signs in with OAuth (use {@link #oauth()})
     */
    public Secret jwt() {
        return keyPair("jwt()", jwt).token();
    }

    /**
     * The HTTP proxy this account's connections go through, or empty for direct connections. Applied per client,
     * never JVM-wide: see {@link ProxySettings}.
     */
    public Optional<ProxySettings> proxy() {
        return Optional.ofNullable(proxy);
    }

    /**
     * The settings, with the key shown as {@code [hidden]}, and so any setting that contains part of the key or
     * passphrase (eight characters in a row).
     */
    @Override
    public String toString() {
        return proxy == null ? shown : shown.substring(0, shown.length() - 1) + ", proxy=" + proxy + "}";
    }

    static String accountNameOf(URI url) {
        String host = url.getHost();
        int dot = host.indexOf('.');
        return (dot > 0 ? host.substring(0, dot) : host).toUpperCase(Locale.ROOT);
    }

    static String fingerprintOf(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return "SHA256:" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JDK", e);
        }
    }

    /**
     * Builds a {@link SnowflakeAccount}. Setters reject bad values at once; {@link #build()} checks that url and user
     * are set, that exactly one of privateKey and oauth is, and that the key decodes, and reports every problem in
     * one {@link BridgeConfigException}. Mutable, not thread-safe; may build several accounts.
     */
    public static final class Builder {
        private String url;
        private String accountName;
        private String user;
        private String role;
        private String warehouse;
        private Secret privateKey;
        private Secret passphrase;
        private AccessTokenProvider oauth;
        private Clock clock = Clock.systemUTC();
        private boolean insecureHttp;
        private ProxySettings proxy;

        private Builder() {
        }

        /**
         * The HTTP proxy for this account's connections. Optional: by default connections are direct. Applied to
         * ksbridge's own HTTP clients alone, never through JVM-wide properties; backends whose SDK cannot take a
         * proxy per client refuse an account with one (their {@code build()} says so).
         *
         * @throws NullPointerException if proxy is null
         */
        public Builder proxy(ProxySettings proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy must not be null");
            return this;
        }

        /**
         * The account URL. Required. {@code https://<account>.snowflakecomputing.com}, or a bare host name (https is
         * assumed); {@code http://} only together with {@link #allowInsecureHttp()}.
         *
         * @throws NullPointerException if url is null
         * @throws IllegalArgumentException if url is blank
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url must not be null");
            if (url.isBlank()) {
                throw new IllegalArgumentException("url must not be blank");
            }
            this.url = url.trim();
            return this;
        }

        /**
         * Accepts an {@code http://} URL: for a local emulator or a test endpoint only. Over plain HTTP the key-pair
         * JWT or OAuth token and every row travel in clear, so an {@code http://} URL is refused unless this is
         * called. The testkit's emulator accounts call it.
         */
        public Builder allowInsecureHttp() {
            this.insecureHttp = true;
            return this;
        }

        /**
         * The account name used in JWTs. Optional: by default the first label of the URL's host, upper-cased.
         * Set it when the URL is a private link or custom host.
         */
        public Builder accountName(String accountName) {
            Objects.requireNonNull(accountName, "accountName must not be null");
            if (accountName.isBlank()) {
                throw new IllegalArgumentException("accountName must not be blank");
            }
            this.accountName = accountName.trim();
            return this;
        }

        /** The user the key pair belongs to. Required. Upper-cased, as Snowflake resolves unquoted names. */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user must not be null");
            if (user.isBlank()) {
                throw new IllegalArgumentException("user must not be blank");
            }
            this.user = user.trim();
            return this;
        }

        /** The role to use. Optional: by default the user's default role. */
        public Builder role(String role) {
            Objects.requireNonNull(role, "role must not be null");
            if (role.isBlank()) {
                throw new IllegalArgumentException("role must not be blank");
            }
            this.role = role.trim();
            return this;
        }

        /** The warehouse for statements that need one. Optional: DDL, LIST and REMOVE need none. */
        public Builder warehouse(String warehouse) {
            Objects.requireNonNull(warehouse, "warehouse must not be null");
            if (warehouse.isBlank()) {
                throw new IllegalArgumentException("warehouse must not be blank");
            }
            this.warehouse = warehouse.trim();
            return this;
        }

        /**
         * The user's RSA private key, PKCS#8: PEM ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE KEY}
         * with {@link #passphrase}), or the bare base64 body of either, on one line or wrapped (as the connector's
         * {@code snowflake.private.key} is written). Required. Whether the key is encrypted is read from the key
         * itself, not from a header line.
         *
         * <p>Encrypted keys: PBES2 with PBKDF2 (HMAC-SHA1 or HMAC-SHA2) and AES-128-CBC or AES-256-CBC decrypt with
         * the JDK alone. Every other form OpenSSL makes, including the PBES2 DES-EDE3-CBC key of Snowflake's
         * key-pair guide ({@code openssl pkcs8 -topk8 -v2 des3}) and the PBES1 ({@code -v1}) forms, needs Bouncy
         * Castle: add {@code org.bouncycastle:bcpkix-jdk18on} (an optional dependency of ksbridge-core); without it,
         * {@link #build()} names the artifact and the key's cipher. A PKCS#1 key ({@code BEGIN RSA PRIVATE KEY})
         * is refused with the command that converts it.
         *
         * @throws NullPointerException if privateKey is null
         */
        public Builder privateKey(Secret privateKey) {
            this.privateKey = Objects.requireNonNull(privateKey, "privateKey must not be null");
            return this;
        }

        /**
         * The passphrase of an encrypted private key. Required with an encrypted key, refused with a plain one
         * ({@link #build()} says which, from the key's DER).
         *
         * @throws NullPointerException if passphrase is null
         */
        public Builder passphrase(Secret passphrase) {
            this.passphrase = Objects.requireNonNull(passphrase, "passphrase must not be null");
            return this;
        }

        /**
         * Sign in with OAuth access tokens from {@code tokens} instead of a key pair: a fixed token
         * ({@link AccessTokenProvider#fixed}), your own refreshing supplier ({@link AccessTokenProvider#refreshing}),
         * or a token endpoint ({@link OAuthTokenClient}). Excludes {@link #privateKey} and {@link #passphrase}.
         * Optional; default: key-pair authentication. Backends say which providers their SDKs accept.
         *
         * @throws NullPointerException if tokens is null
         */
        public Builder oauth(AccessTokenProvider tokens) {
            this.oauth = Objects.requireNonNull(tokens, "oauth must not be null");
            return this;
        }

        /** The clock JWT times come from. Default: the system UTC clock. For tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * Builds the account.
         *
         * @throws BridgeConfigException listing every problem: missing settings, a URL that does not parse, a key
         *                               that does not decode, with what is wrong (not PKCS#8, encrypted without a
         *                               passphrase, a passphrase for a plain key, a passphrase that does not decrypt
         *                               it, a cipher that needs Bouncy Castle, named); the message never contains
         *                               the key or the passphrase
         */
        public SnowflakeAccount build() {
            List<BridgeConfigException.Problem> problems = new ArrayList<>();
            SecretFragments secrets = secrets();
            String shownUrl = url == null ? null : secrets.shown(url);
            URI uri = null;
            if (url == null) {
                problems.add(new BridgeConfigException.Problem("url", null,
                        "the account URL is required, for example https://myorg-myaccount.snowflakecomputing.com"));
            } else {
                try {
                    uri = new URI(url.contains("://") ? url : "https://" + url);
                    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                        problems.add(new BridgeConfigException.Problem("url", shownUrl, "the scheme must be https (or http with allowInsecureHttp(), for a local emulator)"));
                        uri = null;
                    } else if (uri.getHost() == null) {
                        problems.add(new BridgeConfigException.Problem("url", shownUrl, "the URL has no host name"));
                        uri = null;
                    } else if ("http".equals(uri.getScheme()) && !insecureHttp) {
                        problems.add(new BridgeConfigException.Problem("url", shownUrl, "http:// sends the JWT or token"
                                + " and every row in clear; use https, or call allowInsecureHttp() (for a local emulator or"
                                + " a test endpoint only)"));
                        uri = null;
                    }
                } catch (URISyntaxException e) {
                    problems.add(new BridgeConfigException.Problem("url", shownUrl,
                            secrets.reveals(e.getReason()) ? "not a valid URL" : "not a valid URL: " + e.getReason()));
                }
            }
            if (user == null) {
                problems.add(new BridgeConfigException.Problem("user", null, oauth != null && privateKey == null
                        ? "the user the OAuth tokens are issued for is required" : "the user the key pair belongs to is required"));
            }
            PrivateKey key = null;
            if (oauth != null) {
                if (privateKey != null) {
                    problems.add(new BridgeConfigException.Problem("oauth", String.valueOf(secrets.shown(oauth.toString())),
                            "set either privateKey (key-pair authentication) or oauth (OAuth access tokens), not both"));
                } else if (passphrase != null) {
                    problems.add(new BridgeConfigException.Problem("passphrase", "[hidden]",
                            "a passphrase decrypts a private key, and this account signs in with oauth; remove it"));
                }
            } else if (privateKey == null) {
                problems.add(new BridgeConfigException.Problem("privateKey", null,
                        "a PKCS#8 PEM private key is required (key-pair authentication), or set oauth (OAuth access"
                                + " tokens) instead"));
            } else {
                try {
                    key = PemKeys.decode(privateKey.reveal(), passphrase == null ? null : passphrase.reveal());
                    PemKeys.publicKeyOf(key);
                } catch (PemKeys.KeyException e) {
                    boolean aboutPassphrase = e.setting().equals("passphrase");
                    problems.add(new BridgeConfigException.Problem(e.setting(),
                            aboutPassphrase && passphrase == null ? null : "[hidden]", e.getMessage()));
                } catch (IllegalArgumentException e) {
                    problems.add(new BridgeConfigException.Problem("privateKey", "[hidden]", e.getMessage()));
                }
            }
            if (!problems.isEmpty()) {
                throw new BridgeConfigException(problems);
            }
            return new SnowflakeAccount(this, uri, key);
        }

        /**
         * The fragments of the key and passphrase set, and of the OAuth client's secret and refresh token (or the fixed
         * token), to keep them out of messages and toString().
         */
        SecretFragments secrets() {
            List<String> secrets = new ArrayList<>(2);
            if (privateKey != null) {
                secrets.add(privateKey.reveal());
            }
            if (passphrase != null) {
                secrets.add(passphrase.reveal());
            }
            if (oauth instanceof OAuthTokenClient client) {
                secrets.add(client.clientSecret().reveal());
                client.refreshToken().ifPresent(t -> secrets.add(t.reveal()));
            } else if (oauth instanceof FixedToken fixed) {
                secrets.add(fixed.token().value().reveal());
            }
            return SecretFragments.of(secrets);
        }

        /** The settings, the key and passphrase as {@code [hidden]}, and so any setting containing part of them. */
        @Override
        public String toString() {
            SecretFragments secrets = secrets();
            String proxied = proxy == null ? "" : "proxy=" + proxy + ", ";
            return "SnowflakeAccount.Builder{" + proxied + "url=" + secrets.shown(url) + ", user="
                    + secrets.shown(user) + ", role="
                    + secrets.shown(role) + ", warehouse=" + secrets.shown(warehouse)
                    + ", privateKey=" + (privateKey == null ? null : "[hidden]")
                    + ", passphrase=" + (passphrase == null ? null : "[hidden]")
                    + (oauth == null ? "" : ", oauth=" + secrets.shown(oauth.toString())) + "}";
        }
    }
}
