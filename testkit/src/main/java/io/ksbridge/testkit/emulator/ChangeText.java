package io.ksbridge.testkit.emulator;

import java.math.BigDecimal;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Shared helpers of the change model's SQL ({@link ChangeSql}): results, identifiers, literals, comparisons of the
 * SQL API's text values, and the errors Snowflake gives for them. Stateless.
 */
final class ChangeText {
    private ChangeText() {
    }

    /**
     * An already-encoded value passed through {@link TrackedTable.Tx#updateWhere}: its {@code toString()} is the SQL
     * API text, which {@link SnowflakeText#encode} keeps as given.
     */
    record Literal(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    static Map<String, Object> passThrough(Map<String, String> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((k, v) -> out.put(k, v == null ? null : new Literal(v)));
        return out;
    }

    static SqlService.SqlError privileges(TrackedTable t) {
        return new SqlService.SqlError("003001", "42501", "SQL access control error:\nInsufficient privileges to operate on table '"
                + Identifiers.split(t.name()).get(2) + "'. Change tracking is not enabled on it, and only its owner (" + t.owner()
                + ") can enable it: ALTER TABLE " + t.name() + " SET CHANGE_TRACKING = TRUE");
    }

    static SqlService.Result typed(List<String> names, List<String> types) {
        return new SqlService.Result(names, types);
    }

    static SqlService.Result dml(String column, int count) {
        return typed(List.of(column), List.of("NUMBER(38,0)")).row(Integer.toString(count));
    }

    static String q(String name, String db, String sc) {
        return Identifiers.qualify(name, db, sc);
    }

    static ColumnDef column(TrackedTable t, String name) {
        ColumnDef c = t.column(name.trim());
        if (c == null) {
            throw new SqlService.SqlError("000904", "42000", "SQL compilation error: error line 1 at position 0\ninvalid identifier '"
                    + name.trim() + "'");
        }
        return c;
    }

    static ColumnDef columnOf(List<ColumnDef> columns, String name) {
        String n = Identifiers.normalize(name.trim());
        for (ColumnDef c : columns) {
            if (c.name().equals(n)) {
                return c;
            }
        }
        throw new SqlService.SqlError("000904", "42000", "SQL compilation error: error line 1 at position 0\ninvalid identifier '"
                + name.trim() + "'");
    }

    /** A SQL literal as the SQL API text of the column's type: quoted strings, numbers, TRUE/FALSE, NULL. */
    static String literal(ColumnDef c, String literal) {
        String l = literal.trim();
        if ("NULL".equalsIgnoreCase(l)) {
            return null;
        }
        String v = unquote(l);
        return "fixed".equals(SnowflakeText.apiType(c.type())) ? SnowflakeText.encode(c.type(), v) : v;
    }

    static String unquote(String literal) {
        String l = literal.trim();
        return l.startsWith("'") && l.endsWith("'") ? l.substring(1, l.length() - 1).replace("''", "'") : l;
    }

    static java.util.function.Predicate<Map<String, String>> where(TrackedTable t, String column, String literal, int[] count) {
        if (column == null) {
            return row -> {
                count[0]++;
                return true;
            };
        }
        ColumnDef c = column(t, column);
        String text = literal(c, literal);
        return row -> {
            boolean hit = compare(c, row.get(c.name()), text) == 0;
            if (hit) {
                count[0]++;
            }
            return hit;
        };
    }

    static Comparator<Map<String, String>> comparator(List<ColumnDef> columns, String orderBy) {
        Comparator<Map<String, String>> cmp = null;
        for (String part : SqlService.splitTopLevel(orderBy)) {
            String p = part.trim().replaceAll("(?i)\\s+ASC$", "");
            ColumnDef c = columnOf(columns, p);
            String api = SnowflakeText.apiType(c.type());
            Comparator<Map<String, String>> next = (a, b) -> compare(api, a.get(c.name()), b.get(c.name()));
            cmp = cmp == null ? next : cmp.thenComparing(next);
        }
        return cmp;
    }

    /** Compares two SQL API texts of a column: numerically for numbers, dates and times, else as strings; NULL last. */
    static int compare(ColumnDef c, String a, String b) {
        return compare(SnowflakeText.apiType(c.type()), a, b);
    }

    /** {@link #compare(ColumnDef, String, String)} with the column's SQL API type already known. */
    static int compare(String api, String a, String b) {
        if (a == null || b == null) {
            return a == null ? (b == null ? 0 : 1) : -1;
        }
        if (api.equals("fixed") || api.equals("real") || api.equals("date") || api.startsWith("time")) {
            if (a.length() < 18 && b.length() < 18 && a.indexOf('.') < 0 && b.indexOf('.') < 0 && a.indexOf(' ') < 0
                    && b.indexOf(' ') < 0) {
                try {
                    return Long.compare(Long.parseLong(a), Long.parseLong(b)); // the common case, without BigDecimal
                } catch (NumberFormatException e) {
                    // not an integer: compare as decimals
                }
            }
            try {
                return new BigDecimal(a.split(" ")[0]).compareTo(new BigDecimal(b.split(" ")[0]));
            } catch (NumberFormatException e) {
                return a.compareTo(b);
            }
        }
        return a.compareTo(b);
    }

    static Pattern likePattern(String like) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char ch = like.charAt(i);
            if (ch == '\\' && i + 1 < like.length()) {
                re.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (ch == '%') {
                re.append(".*");
            } else if (ch == '_') {
                re.append('.');
            } else {
                re.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }
}
