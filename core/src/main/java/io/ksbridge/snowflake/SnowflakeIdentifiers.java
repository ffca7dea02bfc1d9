package io.ksbridge.snowflake;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Snowflake identifiers, as the backends' settings and object names use them: a name as Snowflake resolves it
 * (an unquoted identifier upper case, a double-quoted one as written) and back to SQL, always double-quoted, so a
 * name's case survives every statement. Thread-safe.
 */
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

    /**
     * Checks a setting that names a Snowflake object and returns the name as Snowflake resolves it: an unquoted
     * identifier ({@code [A-Za-z_][A-Za-z0-9_$]*}) upper case, a double-quoted one ({@code "My-Db"}, with {@code ""}
     * for a quote inside) as written, without its quotes.
     *
     * @param setting the setting's name, for messages
     * @param value   the identifier, unquoted or double-quoted
     * @return the resolved name, never null or empty
     * @throws NullPointerException     naming the setting, when value is null
     * @throws IllegalArgumentException naming the setting and the value, when it is neither
     */
    public static String resolve(String setting, String value) {
        Objects.requireNonNull(value, setting + " must not be null");
        if (isUnquoted(value)) {
            return value.toUpperCase(Locale.ROOT);
        }
        if (value.length() > 2 && value.startsWith("\"") && value.endsWith("\"")) {
            String inner = value.substring(1, value.length() - 1);
            if (!inner.replace("\"\"", "").contains("\"")) {
                return inner.replace("\"\"", "\"");
            }
        }
        throw new IllegalArgumentException(setting + " must be a Snowflake identifier, unquoted ([A-Za-z_][A-Za-z0-9_$]*,"
                + " resolved upper case) or double-quoted (\"My-Name\", kept as written), was '" + value + "'");
    }

    /**
     * A resolved name as a double-quoted SQL identifier: {@code MixedCase} → {@code "MixedCase"}, {@code ORDERS} →
     * {@code "ORDERS"} (the same object as unquoted {@code orders}), quotes inside doubled.
     *
     * @param name a resolved name, never null or empty
     * @return the quoted identifier, never null
     * @throws IllegalArgumentException when name is empty
     */
    public static String quote(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an identifier must not be empty");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * {@code "DB"."SCHEMA"."NAME"} of three resolved names.
     *
     * @param database the resolved database name, never null or empty
     * @param schema   the resolved schema name, never null or empty
     * @param name     the resolved object name, never null or empty
     * @return the qualified, quoted name, never null
     */
    public static String qualify(String database, String schema, String name) {
        return quote(database) + "." + quote(schema) + "." + quote(name);
    }
}
