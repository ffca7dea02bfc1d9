package io.ksbridge.chaos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Finds fragments of secrets in text: every {@value #FRAGMENT}-character window of each secret is a fragment (a
 * secret shorter than that is one fragment), and a text leaks when it contains any of them. Fragments that also
 * occur in a public text (for example the base64 of the matching public key, which shares its algorithm header
 * and modulus with the private key) are not secret and are dropped. Not thread-safe for {@link #scan}'s counters;
 * build one per thread or synchronize.
 */
public final class SecretScanner {
    /** The fragment length. */
    public static final int FRAGMENT = 16;

    private final Set<String> fragments = new HashSet<>();
    private final List<String> hits = new ArrayList<>();
    private long scannedChars;
    private long scannedTexts;

    /**
     * @param secrets     the secret texts (key bodies, passphrases), never null
     * @param publicTexts texts known to be public whose fragments are not counted, never null
     */
    public SecretScanner(List<String> secrets, List<String> publicTexts) {
        Objects.requireNonNull(secrets, "secrets must not be null");
        Objects.requireNonNull(publicTexts, "publicTexts must not be null");
        for (String s : secrets) {
            if (s.length() <= FRAGMENT) {
                fragments.add(s);
            } else {
                for (int i = 0; i + FRAGMENT <= s.length(); i++) {
                    fragments.add(s.substring(i, i + FRAGMENT));
                }
            }
        }
        for (String p : publicTexts) {
            for (int i = 0; i + FRAGMENT <= p.length(); i++) {
                fragments.remove(p.substring(i, i + FRAGMENT));
            }
        }
        if (fragments.isEmpty()) {
            throw new IllegalArgumentException("no secret fragments to look for");
        }
    }

    /** How many distinct fragments are looked for. */
    public int fragmentCount() {
        return fragments.size();
    }

    /**
     * Scans one text.
     *
     * @param where a label for reports (a file name, "exception message"), never null
     * @param text  the text, may be null (nothing to scan)
     * @return the number of fragment occurrences found in it
     */
    public int scan(String where, String text) {
        if (text == null) {
            return 0;
        }
        scannedTexts++;
        scannedChars += text.length();
        int found = 0;
        int min = fragments.stream().mapToInt(String::length).min().orElse(FRAGMENT);
        for (int len = min; len <= FRAGMENT; len++) {
            if (len < FRAGMENT && !hasFragmentOfLength(len)) {
                continue;
            }
            for (int i = 0; i + len <= text.length(); i++) {
                String window = text.substring(i, i + len);
                if (fragments.contains(window)) {
                    found++;
                    if (hits.size() < 20) {
                        hits.add(where + " at char " + i);
                    }
                }
            }
        }
        return found;
    }

    private boolean hasFragmentOfLength(int len) {
        for (String f : fragments) {
            if (f.length() == len) {
                return true;
            }
        }
        return false;
    }

    /** Where fragments were found (at most 20 places, never the fragment itself). */
    public List<String> hits() {
        return List.copyOf(hits);
    }

    /** How many texts were scanned. */
    public long scannedTexts() {
        return scannedTexts;
    }

    /** How many characters were scanned. */
    public long scannedChars() {
        return scannedChars;
    }
}
