package io.ksbridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (a private key, a passphrase, a token) that never prints itself.
 *
 * <p>{@link #toString()} is always {@code [hidden]}, so a secret can sit in settings objects whose
 * {@code toString()} is logged. Only {@link #reveal()} hands out the value; call it at the last moment,
 * where the value is used. Immutable and thread-safe.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps a secret value.
     *
     * @param value the secret, never null
     * @return the wrapped secret, never null
     * @throws NullPointerException if value is null
     */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "secret value must not be null"));
    }

    /** Returns the secret value itself. Never log or print what this returns. */
    public String reveal() {
        return value;
    }

    /** Returns true when the secret is the empty string. */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    /** Always {@code [hidden]}. */
    @Override
    public String toString() {
        return "[hidden]";
    }

    /** Constant-time comparison of the two secret values. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0x5ec7e7; // stable, reveals nothing about the value
    }
}
