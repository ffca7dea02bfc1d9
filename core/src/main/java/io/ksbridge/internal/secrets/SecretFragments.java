package io.ksbridge.internal.secrets;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fragments of a few secrets (a private key, a passphrase), to tell whether a value about to be shown in a
 * message or a {@code toString()} would reveal part of one: a value shares a fragment when it contains any
 * {@value #LENGTH} characters in a row of a secret (ignoring case and white space), or a whole secret shorter than
 * that (of at least 4 characters). A value that does is shown as {@code [hidden]} instead: a value copied from a
 * secret is the secret, in whatever setting it was written.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no fragment.
 */
public final class SecretFragments {
    /** How many characters in a row of a secret count as revealing it. */
    public static final int LENGTH = 8;
    private static final int SHORTEST = 4;
    /** Shorter than this, a base64 text is not taken for a key (an RSA PKCS#8 key is over 1,000). */
    private static final int KEY_BASE64_MIN = 100;
    private static final SecretFragments NONE = new SecretFragments(Set.of(), List.of());

    private final Set<String> windows;
    private final List<String> shortSecrets;

    private SecretFragments(Set<String> windows, List<String> shortSecrets) {
        this.windows = windows;
        this.shortSecrets = shortSecrets;
    }

    /** No secrets: {@link #reveals} is always false. */
    public static SecretFragments none() {
        return NONE;
    }

    /**
     * The fragments of these secrets; null and blank ones are skipped.
     *
     * @param secrets the secrets' text, never null
     */
    public static SecretFragments of(Iterable<String> secrets) {
        Set<String> windows = new HashSet<>();
        List<String> shortOnes = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null) {
                continue;
            }
            String s = normal(secret);
            if (s.length() >= LENGTH) {
                for (int i = 0; i + LENGTH <= s.length(); i++) {
                    windows.add(s.substring(i, i + LENGTH));
                }
            } else if (s.length() >= SHORTEST) {
                shortOnes.add(s);
            }
        }
        return windows.isEmpty() && shortOnes.isEmpty() ? NONE : new SecretFragments(Set.copyOf(windows), List.copyOf(shortOnes));
    }

    /** True when showing {@code value} would show part of a secret (see the class comment). Null is safe. */
    public boolean reveals(String value) {
        if (value == null || (windows.isEmpty() && shortSecrets.isEmpty())) {
            return false;
        }
        String v = normal(value);
        for (int i = 0; i + LENGTH <= v.length(); i++) {
            if (windows.contains(v.substring(i, i + LENGTH))) {
                return true;
            }
        }
        for (String s : shortSecrets) {
            if (v.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** {@code value}, or {@code [hidden]} when it would reveal part of a secret. Null stays null. */
    public String shown(String value) {
        return reveals(value) ? "[hidden]" : value;
    }

    /**
     * True when {@code value} looks like private key material, whatever setting it was written in: a PEM block, or
     * a base64 text of at least 100 characters that decodes to a DER SEQUENCE (as every PKCS#8 and PKCS#1 key
     * does).
     */
    public static boolean looksLikePrivateKey(String value) {
        if (value == null) {
            return false;
        }
        if (value.contains("-----BEGIN") || value.contains("PRIVATE KEY-----")) {
            return true;
        }
        String compact = value.replaceAll("\\s", "");
        if (compact.length() < KEY_BASE64_MIN || !compact.matches("[A-Za-z0-9+/]+={0,2}")) {
            return false;
        }
        try {
            byte[] der = Base64.getDecoder().decode(compact);
            return der.length > 0 && der[0] == 0x30;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String normal(String s) {
        return s.replaceAll("\\s", "").toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "SecretFragments[hidden]";
    }
}
