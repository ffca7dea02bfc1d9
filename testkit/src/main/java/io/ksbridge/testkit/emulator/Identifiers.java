package io.ksbridge.testkit.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Snowflake's identifier rules, as the emulator applies them: an unquoted identifier resolves to upper case
 * ({@code orders} and {@code ORDERS} are the same table); a double-quoted one is taken as written, with
 * {@code ""} standing for one quote. Thread-safe (stateless).
 */
public final class Identifiers {
    private Identifiers() {
    }

    /**
     * Resolves one identifier part ({@code orders} → {@code ORDERS}, {@code "Orders"} → {@code Orders}).
     *
     * @param part an identifier, never null
     * @return the resolved name, never null
     */
    public static String normalize(String part) {
        Objects.requireNonNull(part, "part must not be null");
        String p = part.trim();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            return p.substring(1, p.length() - 1).replace("\"\"", "\"");
        }
        if (p.length() >= 3 && p.startsWith("%\"") && p.endsWith("\"")) { // a quoted table's stage: %"MixedCase"
            return "%" + p.substring(2, p.length() - 1).replace("\"\"", "\"");
        }
        return p.toUpperCase(Locale.ROOT);
    }

    /**
     * A resolved name part as it can be written again: as it is when it reads the same unquoted (upper case letters,
     * digits, {@code _} and {@code $}, or a table stage {@code %NAME}), double-quoted otherwise. {@link #normalize}
     * gives the part back.
     *
     * @param resolved a resolved part, never null
     * @return the part as an identifier, never null
     */
    public static String requote(String resolved) {
        Objects.requireNonNull(resolved, "resolved must not be null");
        if (resolved.matches("%?[A-Z_][A-Z0-9_$]*")) {
            return resolved;
        }
        return "\"" + resolved.replace("\"", "\"\"") + "\"";
    }

    /**
     * Splits a possibly qualified name ({@code db.schema."My Table"}) on the dots outside quotes and resolves each
     * part.
     *
     * @return the resolved parts, one to three of them; never null
     */
    public static List<String> split(String qualified) {
        Objects.requireNonNull(qualified, "qualified must not be null");
        List<String> parts = new ArrayList<>(3);
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < qualified.length(); i++) {
            char c = qualified.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (c == '.' && !quoted) {
                parts.add(normalize(current.toString()));
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(normalize(current.toString()));
        return parts;
    }

    /**
     * Resolves a name to {@code DB.SCHEMA.NAME}, filling missing parts from the context.
     *
     * @param name     a name with one to three parts, never null
     * @param database the database in context, or null
     * @param schema   the schema in context, or null
     * @return the fully qualified, resolved name (parts joined with dots, each quoted where it would not read the same
     *         unquoted, so {@link #split} gives the parts back), never null
     * @throws IllegalArgumentException when a part is missing and the context has none
     */
    public static String qualify(String name, String database, String schema) {
        List<String> parts = split(name);
        String db;
        String sc;
        String object;
        if (parts.size() == 3) {
            db = parts.get(0);
            sc = parts.get(1);
            object = parts.get(2);
        } else if (parts.size() == 2) {
            if (database == null) {
                throw new IllegalArgumentException("Cannot perform operation. This session does not have a current database."
                        + " Call 'USE DATABASE', or use a qualified name.");
            }
            db = normalize(database);
            sc = parts.get(0);
            object = parts.get(1);
        } else if (parts.size() == 1) {
            if (database == null || schema == null) {
                throw new IllegalArgumentException("Cannot perform operation. This session does not have a current "
                        + (database == null ? "database" : "schema") + ". Call 'USE " + (database == null ? "DATABASE" : "SCHEMA")
                        + "', or use a qualified name.");
            }
            db = normalize(database);
            sc = normalize(schema);
            object = parts.get(0);
        } else {
            throw new IllegalArgumentException("invalid identifier '" + name + "'");
        }
        return requote(db) + "." + requote(sc) + "." + requote(object);
    }
}
