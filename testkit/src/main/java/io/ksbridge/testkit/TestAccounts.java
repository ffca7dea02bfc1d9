package io.ksbridge.testkit;

import io.ksbridge.Secret;
import io.ksbridge.snowflake.ProxySettings;
import io.ksbridge.snowflake.SnowflakeAccount;

/** Accounts for builder tests that contact nothing: a fresh key pair, an address no test connects to. */
public final class TestAccounts {
    /** The URL of every account here: a Snowflake host name that these accounts never reach. */
    public static final String URL = "https://xy12345.snowflakecomputing.com";

    private TestAccounts() {
    }

    /** A key-pair account (user {@code loader}) with a new RSA key. Never null. */
    public static SnowflakeAccount keyPair() {
        return builder().build();
    }

    /**
     * A key-pair account with a per-client proxy ({@code proxy.internal:3128}, user {@code squid}, password
     * {@code proxy-pass-1234}), which the ingest SDK's backends refuse. Never null.
     */
    public static SnowflakeAccount withProxy() {
        return builder().proxy(ProxySettings.builder().host("proxy.internal").port(3128)
                .credentials("squid", Secret.of("proxy-pass-1234")).build()).build();
    }

    private static SnowflakeAccount.Builder builder() {
        return SnowflakeAccount.builder().url(URL).user("loader")
                .privateKey(Secret.of(SnowflakeEmulator.pem(SnowflakeEmulator.newKeyPair().getPrivate())));
    }
}
