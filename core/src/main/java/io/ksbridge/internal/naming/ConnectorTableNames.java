package io.ksbridge.internal.naming;

import io.ksbridge.TableNamer;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Snowflake Kafka connector's (v3) topic-to-table rules, upper-cased as Snowflake resolves unquoted names.
 */
public final class ConnectorTableNames implements TableNamer {
    public static final ConnectorTableNames DEFAULT = new ConnectorTableNames();

    private static final Pattern VALID_IDENTIFIER = Pattern.compile("^[_a-zA-Z][_$a-zA-Z0-9]+$");

    private ConnectorTableNames() {
    }

    @Override
    public String tableName(String topic) {
        return generatedName(topic).toUpperCase(Locale.ROOT);
    }

    /** The name the connector generates, before Snowflake upper-cases it. */
    public static String generatedName(String topic) {
        Objects.requireNonNull(topic, "topic must not be null");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty: the connector cannot name a table for it");
        }
        if (VALID_IDENTIFIER.matcher(topic).matches()) {
            return topic;
        }
        // The hash is of the topic as given; the connector then drops every ".*" (regex wildcards) before it
        // replaces characters, so "bird.*" becomes "bird_<hash>", not "bird___<hash>".
        int hash = Math.abs(topic.hashCode());
        String chars = topic.replace(".*", "");
        if (chars.isEmpty()) {
            throw new IllegalArgumentException("topic '" + topic + "' has no characters left once its '.*' are"
                    + " removed: the connector cannot name a table for it");
        }
        StringBuilder name = new StringBuilder(chars.length() + 12);
        if (!isIdentifierStart(chars.charAt(0))) {
            name.append('_');
        }
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            name.append(isIdentifierPart(c) ? c : '_');
        }
        // Math.abs(Integer.MIN_VALUE) stays negative in Java; the connector has the same quirk, and we match it.
        name.append('_').append(hash);
        return name.toString();
    }

    private static boolean isIdentifierStart(char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || c == '$' || (c >= '0' && c <= '9');
    }

    @Override
    public String toString() {
        return "TableNamer.connectorDefault()";
    }

    /** Explicit topic (or topic regex) to table entries, then a fallback namer. */
    public static final class Overrides implements TableNamer {
        private final Map<String, String> tables;
        private final Map<Pattern, String> patterns;
        private final TableNamer fallback;

        public Overrides(Map<String, String> overrides, TableNamer fallback) {
            this.fallback = Objects.requireNonNull(fallback, "fallback");
            this.tables = new java.util.LinkedHashMap<>();
            this.patterns = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, String> e : overrides.entrySet()) {
                String topic = Objects.requireNonNull(e.getKey(), "overrides must not contain a null topic");
                String table = Objects.requireNonNull(e.getValue(), "overrides must not map topic '" + topic + "' to null");
                if (table.isBlank()) {
                    throw new IllegalArgumentException("overrides map topic '" + topic + "' to a blank table name");
                }
                String resolved = resolve(table.trim());
                tables.put(topic, resolved);
                try {
                    patterns.put(Pattern.compile(topic), resolved);
                } catch (PatternSyntaxException ex) {
                    // A key that is not a regex still matches its exact topic.
                }
            }
        }

        /** Snowflake resolves an unquoted identifier upper-case and a quoted one as written. */
        static String resolve(String table) {
            if (table.length() >= 2 && table.startsWith("\"") && table.endsWith("\"")) {
                return table.substring(1, table.length() - 1);
            }
            return table.toUpperCase(Locale.ROOT);
        }

        @Override
        public String tableName(String topic) {
            String exact = tables.get(topic);
            if (exact != null) {
                return exact;
            }
            for (Map.Entry<Pattern, String> e : patterns.entrySet()) {
                if (e.getKey().matcher(topic).matches()) {
                    return e.getValue();
                }
            }
            return fallback.tableName(topic);
        }

        @Override
        public String toString() {
            return fallback + ".withOverrides(" + tables + ")";
        }
    }
}
