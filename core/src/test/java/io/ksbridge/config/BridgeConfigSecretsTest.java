package io.ksbridge.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.BridgeConfigException;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every setting name {@link BridgeConfig} defines, and one-edit typos of each (deletion, insertion, substitution,
 * transposition; seeded), given a real test private key (encrypted, as the connector's one-line body, and as PEM),
 * its passphrase, an OAuth client secret or a refresh token as value, alone, beside a full key-pair account
 * configuration and beside a full OAuth one: no 8 characters in a row of the key body, the passphrase, the client
 * secret or the refresh token appear in any exception message, problem, {@code toString()} of the configuration or of
 * its account, or the generated configuration page.
 *
 * <p>chaos's {@code BridgeConfigFuzzTest} mixes random good and bad values of the known keys; this one walks the
 * names, where a mistyped secret setting used to print its value.
 */
class BridgeConfigSecretsTest {
    private static final String PASSPHRASE = "Qx7-wombat-Zq81-pelican";
    private static final String KEY_PEM = resource("pbes2-des3-sha256.p8");
    private static final String KEY_BODY = KEY_PEM.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
    private static final String CLIENT_SECRET = "oauth-Secret-kestrel-4417";
    private static final String REFRESH_TOKEN = "ver:2-hint:1234-ETMsDgAAAZ-refresh-ocelot";
    private static final Set<String> FRAGMENTS = fragments(List.of(KEY_BODY, PASSPHRASE, CLIENT_SECRET, REFRESH_TOKEN));
    private static final List<String> SHORT_SECRETS = List.of(PASSPHRASE, CLIENT_SECRET, REFRESH_TOKEN);
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789._-";
    private static final int RANDOM_TYPOS_PER_KIND = 4;

    private static String resource(String name) {
        try (InputStream in = BridgeConfigSecretsTest.class.getResourceAsStream("/keys/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> fragments(List<String> secrets) {
        Set<String> out = new HashSet<>();
        for (String s : secrets) {
            for (int i = 0; i + 8 <= s.length(); i++) {
                out.add(s.substring(i, i + 8));
            }
        }
        return out;
    }

    /** The first secret fragment in text, or null. */
    private static String fragmentIn(String text) {
        for (int i = 0; i + 8 <= text.length(); i++) {
            if (FRAGMENTS.contains(text.substring(i, i + 8))) {
                return text.substring(i, i + 8);
            }
        }
        return null;
    }

    /** Every setting name, then its one-edit typos that are not themselves setting names. */
    static List<String> namesAndTypos() {
        Set<String> known = new LinkedHashSet<>();
        BridgeConfig.keys().forEach(k -> known.add(k.name()));
        Set<String> all = new LinkedHashSet<>(known);
        Random r = new Random(12);
        for (String name : known) {
            for (int n = 0; n < RANDOM_TYPOS_PER_KIND; n++) {
                int i = r.nextInt(name.length());
                all.add(name.substring(0, i) + name.substring(i + 1)); // deletion
                int j = r.nextInt(name.length() + 1);
                all.add(name.substring(0, j) + ALPHABET.charAt(r.nextInt(ALPHABET.length())) + name.substring(j)); // insertion
                char c;
                do {
                    c = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
                } while (c == name.charAt(i));
                all.add(name.substring(0, i) + c + name.substring(i + 1)); // substitution
                int t = r.nextInt(name.length() - 1);
                if (name.charAt(t) != name.charAt(t + 1)) {
                    all.add(name.substring(0, t) + name.charAt(t + 1) + name.charAt(t) + name.substring(t + 2)); // transposition
                }
            }
        }
        all.add("snowflake.private.kye"); // the example
        return new ArrayList<>(all);
    }

    private static Map<String, String> fullAccount() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(BridgeConfig.URL, "https://myorg-myaccount.snowflakecomputing.com");
        p.put(BridgeConfig.USER, "LOADER");
        p.put(BridgeConfig.PRIVATE_KEY, KEY_BODY);
        p.put(BridgeConfig.PRIVATE_KEY_PASSPHRASE, PASSPHRASE);
        return p;
    }

    private static Map<String, String> fullOAuthAccount() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(BridgeConfig.URL, "https://myorg-myaccount.snowflakecomputing.com");
        p.put(BridgeConfig.USER, "LOADER");
        p.put(BridgeConfig.AUTHENTICATOR, "oauth");
        p.put(BridgeConfig.OAUTH_CLIENT_ID, "loader-client");
        p.put(BridgeConfig.OAUTH_CLIENT_SECRET, CLIENT_SECRET);
        p.put(BridgeConfig.OAUTH_REFRESH_TOKEN, REFRESH_TOKEN);
        return p;
    }

    /** What a user could see from these properties: messages, problems, toString() of the config and its account. */
    private static String seen(Map<String, String> props) {
        StringBuilder seen = new StringBuilder();
        BridgeConfig config;
        try {
            config = BridgeConfig.from(props);
        } catch (BridgeConfigException e) {
            seen.append(e.getMessage()).append('\n').append(e.problems()).append('\n').append(e);
            return seen.toString();
        }
        seen.append(config).append('\n');
        boolean oauth = config.authenticator() == BridgeConfig.Authenticator.OAUTH;
        if (config.accountUrl().isPresent() && config.user().isPresent() && (config.privateKey().isPresent() || oauth)) {
            seen.append(ACCOUNTS.computeIfAbsent(knownSettings(props), k -> account(config)));
        }
        return seen.toString();
    }

    /**
     * What building the account shows, cached by the known settings given: a name that is no setting (a typo) does not
     * reach the account, and building one decrypts the key (PBKDF2), most of this test's time otherwise.
     */
    private static final Map<String, String> ACCOUNTS = new java.util.HashMap<>();
    private static final Set<String> KNOWN = BridgeConfig.keys().stream().map(k -> k.name())
            .collect(java.util.stream.Collectors.toSet());

    private static String knownSettings(Map<String, String> props) {
        Map<String, String> known = new java.util.TreeMap<>();
        props.forEach((k, v) -> {
            if (KNOWN.contains(k)) {
                known.put(k, v);
            }
        });
        return known.toString();
    }

    private static String account(BridgeConfig config) {
        try {
            SnowflakeAccount account = config.account();
            return account + "\n";
        } catch (BridgeConfigException e) {
            return e.getMessage() + "\n" + e.problems() + "\n";
        }
    }

    @Test
    void from_everySettingNameAndTypoWithAKeyOrPassphraseAsValue_noFragmentOfEitherShown() {
        Set<String> known = new HashSet<>();
        BridgeConfig.keys().forEach(k -> known.add(k.name()));
        List<String> leaks = new ArrayList<>();
        int cases = 0;
        for (String name : namesAndTypos()) {
            for (String value : List.of(KEY_BODY, KEY_PEM, PASSPHRASE, CLIENT_SECRET, REFRESH_TOKEN)) {
                // alone: except a short secret as the value of a known plain setting, which is that setting's value
                // (nothing in the properties says it is a secret)
                boolean secretSetting = known.contains(name) && BridgeConfig.keys().stream()
                        .anyMatch(k -> k.name().equals(name) && k.secret());
                if (!(SHORT_SECRETS.contains(value) && known.contains(name) && !secretSetting)) {
                    cases++;
                    check(leaks, Map.of(name, value), name + "=<" + label(value) + "> alone");
                }
                // beside a full account that holds that secret: key pair (key, passphrase) or OAuth (client secret,
                // refresh token); a key-shaped value is a key beside either
                boolean oauthSecret = value.equals(CLIENT_SECRET) || value.equals(REFRESH_TOKEN);
                for (Map<String, String> props : List.of(fullAccount(), fullOAuthAccount())) {
                    boolean oauthBase = props.containsKey(BridgeConfig.AUTHENTICATOR);
                    if (SHORT_SECRETS.contains(value) && oauthSecret != oauthBase) {
                        continue;
                    }
                    props.put(name, value);
                    cases++;
                    check(leaks, props, name + "=<" + label(value) + "> with " + (oauthBase ? "an OAuth" : "a key-pair")
                            + " account");
                }
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(cases > 3_000, "only " + cases + " cases");
    }

    private static void check(List<String> leaks, Map<String, String> props, String what) {
        String text = seen(props);
        String fragment = fragmentIn(text);
        if (fragment != null) {
            leaks.add(what + ": shows a fragment in " + text.replace(PASSPHRASE, "<PASSPHRASE>").replace(KEY_BODY, "<KEY>")
                    .replace(CLIENT_SECRET, "<CLIENT_SECRET>").replace(REFRESH_TOKEN, "<REFRESH_TOKEN>"));
        }
    }

    private static String label(String value) {
        return value.equals(PASSPHRASE) ? "passphrase" : value.equals(CLIENT_SECRET) ? "client secret"
                : value.equals(REFRESH_TOKEN) ? "refresh token" : value.startsWith("-----") ? "key PEM" : "key body";
    }

    @Test
    void from_mistypedPrivateKeyName_problemHidesTheValueAndSuggestsTheKey() {
        BridgeConfigException e = org.junit.jupiter.api.Assertions.assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(Map.of("snowflake.private.kye", KEY_BODY)));
        assertEquals("Invalid value [hidden] for setting snowflake.private.kye: unknown setting: ksbridge does not read"
                + " it, so it would have no effect; remove it. Did you mean snowflake.private.key? BridgeConfig.keys()"
                + " lists the settings ksbridge reads.", e.getMessage());
    }

    @Test
    void from_keyInAPlainSetting_refusedWithoutShowingIt() {
        BridgeConfigException e = org.junit.jupiter.api.Assertions.assertThrows(BridgeConfigException.class,
                () -> BridgeConfig.from(Map.of(BridgeConfig.USER, KEY_BODY)));
        assertEquals("Invalid value [hidden] for setting snowflake.user.name: looks like a private key; a key belongs in"
                + " snowflake.private.key, the only setting that keeps it hidden", e.getMessage());
    }

    @Test
    void toString_passphraseCopiedIntoAPlainSetting_hidden() {
        Map<String, String> props = fullAccount();
        props.put(BridgeConfig.ROLE, PASSPHRASE);
        BridgeConfig config = BridgeConfig.from(props);
        assertTrue(config.toString().contains("snowflake.role.name=[hidden]"), config.toString());
        assertTrue(config.toString().contains("snowflake.user.name=LOADER"), config.toString());
        SnowflakeAccount account = config.account();
        assertTrue(account.toString().contains("role=[hidden]"), account.toString());
        assertEquals(PASSPHRASE, account.role().orElseThrow(), "the typed value is the value written");
    }

    @Test
    void configurationPage_noFragment() {
        assertEquals(null, fragmentIn(ConfigReference.markdown()));
    }

    @Test
    void fragmentIn_textWithEightCharactersOfTheKey_found() {
        // the scanner itself: it must see what the fuzz test looks for
        assertEquals(KEY_BODY.substring(100, 108), fragmentIn("x" + KEY_BODY.substring(100, 108) + "y"));
        assertEquals("wombat-Z", fragmentIn("Invalid value wombat-Zq81 for setting"));
        assertEquals(null, fragmentIn("Invalid value wombat- for setting"));
    }
}
