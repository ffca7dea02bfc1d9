package io.ksbridge.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Snowflake identifier resolution: unquoted parts upper case, quoted ones exact. Stateless. */
final class Names {
    private Names() {
    }

    static String normalize(String part) {
        String p = part.trim();
        if (p.length() >= 2 && p.startsWith("\"") && p.endsWith("\"")) {
            return p.substring(1, p.length() - 1).replace("\"\"", "\"");
        }
        return p.toUpperCase(Locale.ROOT);
    }

    static List<String> split(String qualified) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < qualified.length(); i++) {
            char c = qualified.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '.' && !quoted) {
                parts.add(normalize(cur.toString()));
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        parts.add(normalize(cur.toString()));
        return parts;
    }

    /** A resolved identifier written for SQL: quoted, inner quotes doubled. */
    static String quote(String resolved) {
        return "\"" + resolved.replace("\"", "\"\"") + "\"";
    }

    /** {@code DB.SCHEMA.TABLE} (resolved parts) written for SQL. */
    static String sql(String qualified) {
        List<String> parts = split(qualified);
        List<String> quoted = new ArrayList<>();
        for (String p : parts) {
            quoted.add(quote(p));
        }
        return String.join(".", quoted);
    }

    /** A string literal. */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
