package io.ksbridge.testkit.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ksbridge.testkit.emulator.HttpJson;
import io.ksbridge.testkit.emulator.Identifiers;
import io.ksbridge.testkit.emulator.SnowflakeText;
import io.ksbridge.testkit.emulator.StreamingPipes;
import io.ksbridge.testkit.emulator.TableStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pipes users create for the high-performance architecture, and the part of their {@code COPY} the emulator
 * evaluates on each row the SDK sends:
 * <pre>{@code
 * CREATE PIPE p AS COPY INTO t (ID, PAYLOAD, TOPIC)
 *   FROM (SELECT $1:RECORD_CONTENT:id, PARSE_JSON($1:RECORD_CONTENT:payload), $1:RECORD_METADATA:topic::STRING
 *         FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')))
 * CREATE PIPE p AS COPY INTO t FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING')) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE
 * }</pre>
 * Expressions: {@code $1:a:b} (element names case-sensitive, {@code "quoted"} when needed, a missing one is NULL),
 * {@code PARSE_JSON(...)} of one (a string parsed as JSON), a trailing {@code ::STRING}/{@code ::VARCHAR} (the value
 * as text) or another {@code ::TYPE} (left to the column check), {@code AS alias} ignored. Thread-safe.
 */
final class HpPipes implements StreamingPipes {
    private static final int I = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final String NAME = "((?:\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+)(?:\\.(?:\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+)){0,2})";
    private static final String SOURCE = "TABLE\\s*\\(\\s*DATA_SOURCE\\s*\\(\\s*TYPE\\s*=>\\s*'STREAMING'\\s*\\)\\s*\\)";
    private static final Pattern SELECTING = Pattern.compile("COPY\\s+INTO\\s+" + NAME + "\\s*\\(([^)]*)\\)\\s*FROM\\s*\\(\\s*"
            + "SELECT\\s+(.*?)\\s+FROM\\s+" + SOURCE + "\\s*\\)\\s*;?\\s*", I);
    private static final Pattern BY_NAME = Pattern.compile("COPY\\s+INTO\\s+" + NAME + "\\s+FROM\\s+" + SOURCE
            + "(\\s+MATCH_BY_COLUMN_NAME\\s*=\\s*'?CASE_INSENSITIVE'?)?\\s*;?\\s*", I);
    private static final Pattern EXPRESSION = Pattern.compile("\\s*(PARSE_JSON\\s*\\(\\s*)?\\$1((?::(?:\"(?:[^\"]|\"\")*\"|"
            + "[A-Za-z_$0-9]+))*)(\\s*\\))?(?:\\s*::\\s*([A-Za-z_]+)(?:\\s*\\([0-9, ]*\\))?)?(?:\\s+(?:AS\\s+)?[A-Za-z_$0-9\"]+)?\\s*", I);
    private static final Pattern ELEMENT = Pattern.compile(":(\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+)");

    /** One {@code SELECT} item: a path into the row, parsed as JSON or turned to text on the way. */
    record Item(String column, List<String> path, boolean parseJson, boolean asText) {
    }

    /** A pipe: the table it loads, and its items (empty: columns matched by name, as a default pipe). */
    record Pipe(String table, List<Item> items, String text) {
        /** The row as the pipe loads it, keyed by column name. */
        JsonNode transform(JsonNode row) throws IOException {
            if (items.isEmpty()) {
                return row;
            }
            ObjectNode out = HttpJson.MAPPER.createObjectNode();
            for (Item item : items) {
                JsonNode v = row;
                for (String element : item.path()) {
                    v = v == null || !v.isObject() ? null : v.get(element);
                }
                if (v == null) {
                    v = NullNode.getInstance();
                }
                if (item.parseJson() && v.isTextual()) {
                    v = HttpJson.MAPPER.readTree(v.asText());
                }
                if (item.asText() && !v.isNull()) {
                    v = TextNode.valueOf(v.isTextual() ? v.asText() : v.toString());
                }
                out.set("\"" + item.column().replace("\"", "\"\"") + "\"", v);
            }
            return out;
        }
    }

    private final TableStore tables;
    private final Map<String, Pipe> pipes = new ConcurrentHashMap<>();

    HpPipes(TableStore tables) {
        this.tables = tables;
    }

    /** The pipe of that resolved key ({@code DB.SCHEMA.NAME}, parts unquoted), if a user created it. */
    Optional<Pipe> find(String pipeKey) {
        return Optional.ofNullable(pipes.get(pipeKey));
    }

    @Override
    public synchronized boolean create(String qualifiedPipe, String copy, String database, String schema,
                                       boolean orReplace, boolean ifNotExists) {
        String key = String.join(".", Identifiers.split(qualifiedPipe));
        if (pipes.containsKey(key) && !orReplace) {
            if (ifNotExists) {
                return false;
            }
            throw new IllegalArgumentException("Object '" + qualifiedPipe + "' already exists.");
        }
        Matcher m;
        String table;
        List<Item> items = new ArrayList<>();
        if ((m = SELECTING.matcher(copy)).matches()) {
            table = Identifiers.qualify(m.group(1), database, schema);
            String[] columns = m.group(2).split(",");
            List<String> exprs = SnowflakeText.splitTopLevel(m.group(3));
            if (columns.length != exprs.size()) {
                throw new IllegalArgumentException("Insert value list does not match column list expecting "
                        + columns.length + " but got " + exprs.size());
            }
            for (int i = 0; i < columns.length; i++) {
                items.add(item(Identifiers.normalize(columns[i].trim()), exprs.get(i)));
            }
        } else if ((m = BY_NAME.matcher(copy)).matches()) {
            table = Identifiers.qualify(m.group(1), database, schema);
        } else {
            throw new IllegalArgumentException("the emulator's streaming pipes support COPY INTO t (cols) FROM (SELECT"
                    + " $1:a:b, PARSE_JSON($1:c), ... FROM TABLE(DATA_SOURCE(TYPE => 'STREAMING'))), or COPY INTO t FROM"
                    + " TABLE(DATA_SOURCE(TYPE => 'STREAMING')) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE; was: " + copy);
        }
        tables.get(table); // NoSuchElementException when missing
        pipes.put(key, new Pipe(table, List.copyOf(items), copy));
        return true;
    }

    private static Item item(String column, String expr) {
        Matcher m = EXPRESSION.matcher(expr);
        if (!m.matches() || (m.group(1) != null) != (m.group(3) != null)) {
            throw new IllegalArgumentException("the emulator's streaming pipes select $1:path, PARSE_JSON($1:path) or"
                    + " $1:path::TYPE, was " + expr.trim());
        }
        List<String> path = new ArrayList<>();
        Matcher e = ELEMENT.matcher(m.group(2));
        while (e.find()) {
            String el = e.group(1);
            path.add(el.startsWith("\"") ? el.substring(1, el.length() - 1).replace("\"\"", "\"") : el);
        }
        String cast = m.group(4) == null ? "" : m.group(4).toUpperCase(java.util.Locale.ROOT);
        return new Item(column, List.copyOf(path), m.group(1) != null, cast.equals("STRING") || cast.equals("VARCHAR")
                || cast.equals("TEXT"));
    }
}
