package io.ksbridge.snowflake;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/** Unquoted Snowflake identifiers, as the backends' settings and object names use them. Thread-safe. */
public final class SnowflakeIdentifiers {
    private static final Pattern UNQUOTED = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");

    private SnowflakeIdentifiers() {
    }

    /** True when {@code name} can be used unquoted ({@code [A-Za-z_][A-Za-z0-9_$]*}). */
    public static boolean isUnquoted(String name) {
        return UNQUOTED.matcher(name).matches();
    }

    /**
     * Checks a setting that must be an unquoted identifier and returns it as Snowflake resolves it (upper case).
     *
     * @throws NullPointerException     naming the setting, when value is null
     * @throws IllegalArgumentException naming the setting and the value, when it is not an unquoted identifier
     */
    public static String requireUnquoted(String setting, String value) {
        Objects.requireNonNull(value, setting + " must not be null");
        if (!isUnquoted(value)) {
            throw new IllegalArgumentException(setting + " must be an unquoted Snowflake identifier ([A-Za-z_][A-Za-z0-9_$]*),"
                    + " was '" + value + "'");
        }
        return value.toUpperCase(Locale.ROOT);
    }
}
