package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL REST API ({@code POST /api/v2/statements}, {@code GET /api/v2/statements/{handle}}) for the statements the
 * backends send: {@code CREATE TABLE/STAGE/PIPE [IF NOT EXISTS]}, {@code DESCRIBE TABLE/STAGE/PIPE}, {@code ALTER TABLE
 * ... ADD COLUMN / ALTER COLUMN ... DROP NOT NULL}, {@code LIST @stage}, {@code REMOVE @stage/...}, {@code COPY FILES
 * INTO @a FROM @b FILES = (...)}, {@code DROP ...}, {@code SHOW PIPES}, {@code SELECT 1}, and {@code SELECT SYSTEM$...('...')} for the
 * {@linkplain SystemFunction system functions} mounted services add. Anything else answers 422
 * with a syntax error, as Snowflake would for SQL it cannot run.
 */
final class SqlService implements HttpHandler {
    static final String PREFIX = "/api/v2/statements";
    private static final int I = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    static final String NAME = "((?:%?\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9%]+)(?:\\.(?:%?\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9%]+)){0,2})";
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?(?:IDENTIFIER\\('([^']*)'\\)|" + NAME
                    + ")\\s*\\((.*)\\)\\s*(?:COMMENT\\s*=\\s*'(?:[^']|'')*')?\\s*;?\\s*", I);
    private static final Pattern CREATE_STAGE = Pattern.compile(
            "\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?STAGE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?" + NAME + "(\\s+.*)?;?\\s*", I);
    private static final Pattern CREATE_PIPE = Pattern.compile(
            "\\s*CREATE\\s+(OR\\s+REPLACE\\s+)?PIPE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?" + NAME + "\\s+(?:.*?\\s)?AS\\s+(COPY\\s+INTO.*?);?\\s*", I);
    private static final Pattern COPY = Pattern.compile(
            "COPY\\s+INTO\\s+" + NAME + "\\s*\\(([^)]*)\\)\\s*FROM\\s*\\(\\s*SELECT\\s+(.*?)\\s+FROM\\s+@" + NAME
                    + "(/[^\\s)]*)?(?:\\s+[A-Za-z_]+)?\\s*\\)\\s*(.*)", I);
    /** {@code COPY INTO t FROM @stage MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE ...}: keys load into same-named columns. */
    private static final Pattern COPY_BY_NAME = Pattern.compile("COPY\\s+INTO\\s+" + NAME + "\\s+FROM\\s+@" + NAME
            + "(/[^\\s)]*)?\\s+.*MATCH_BY_COLUMN_NAME\\s*=\\s*'?CASE_INSENSITIVE'?.*", I);
    private static final Pattern ALLOW_DUPLICATE = Pattern.compile("ALLOW_DUPLICATE\\s*=\\s*TRUE", I);
    private static final Pattern DESCRIBE = Pattern.compile("\\s*DESC(?:RIBE)?\\s+(TABLE|STAGE|PIPE)\\s+" + NAME + "\\s*;?\\s*", I);
    private static final Pattern ALTER_ADD = Pattern.compile(
            "\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + NAME + "\\s+ADD\\s+(?:COLUMN\\s+)?(IF\\s+NOT\\s+EXISTS\\s+)?(.*?);?\\s*", I);
    private static final Pattern ALTER_DROP_NOT_NULL = Pattern.compile(
            "\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + NAME + "\\s+(?:ALTER|MODIFY)\\s+(?:COLUMN\\s+)?(.*?)\\s+DROP\\s+NOT\\s+NULL\\s*;?\\s*", I);
    private static final Pattern LIST = Pattern.compile("\\s*(?:LIST|LS)\\s+@" + NAME + "(/\\S*)?(?:\\s+PATTERN\\s*=\\s*'((?:[^']|'')*)')?\\s*;?\\s*", I);
    private static final Pattern REMOVE = Pattern.compile("\\s*(?:REMOVE|RM)\\s+@" + NAME + "(/\\S*)?(?:\\s+PATTERN\\s*=\\s*'((?:[^']|'')*)')?\\s*;?\\s*", I);
    private static final Pattern COPY_FILES = Pattern.compile(
            "\\s*COPY\\s+FILES\\s+INTO\\s+@" + NAME + "(/\\S*)?\\s+FROM\\s+@" + NAME + "(/\\S*)?\\s+FILES\\s*=\\s*\\((.*?)\\)\\s*;?\\s*", I);
    private static final Pattern DROP = Pattern.compile("\\s*DROP\\s+(TABLE|STAGE|PIPE)\\s+(IF\\s+EXISTS\\s+)?" + NAME + "\\s*;?\\s*", I);
    private static final Pattern SHOW_PIPES = Pattern.compile("\\s*SHOW\\s+PIPES.*", I);
    private static final Pattern SELECT_ONE = Pattern.compile("\\s*SELECT\\s+1\\s*;?\\s*", I);
    private static final Pattern SYSTEM_CALL = Pattern.compile(
            "\\s*SELECT\\s+(SYSTEM\\$[A-Za-z0-9_$]+)\\s*\\(((?:\\s*'(?:[^']|'')*'\\s*,?)*)\\)\\s*;?\\s*", I);
    private static final Pattern LITERAL = Pattern.compile("'((?:[^']|'')*)'");
    private static final Pattern NOOP = Pattern.compile("\\s*(USE\\s+.*|CREATE\\s+(DATABASE|SCHEMA)\\s+IF\\s+NOT\\s+EXISTS\\s+.*)", I);

    private final TableStore tables;
    private final StageStore stages;
    private final SnowpipeService snowpipe;
    private final JwtVerifier jwt;
    private final Map<String, ObjectNode> results = new ConcurrentHashMap<>();
    private final ChangeSql changes;
    private final SqlRequests requests;
    private final Map<String, SystemFunction> functions = new ConcurrentHashMap<>();
    private static final Pattern STREAMING_SOURCE = Pattern.compile("FROM\\s+TABLE\\s*\\(\\s*DATA_SOURCE\\s*\\(", I);
    private volatile StreamingPipes streamingPipes;

    SqlService(TableStore tables, StageStore stages, SnowpipeService snowpipe, JwtVerifier jwt, ChangeStore changeStore) {
        this.changes = new ChangeSql(changeStore);
        this.requests = new SqlRequests(this, changeStore, results);
        this.tables = tables;
        this.stages = stages;
        this.snowpipe = snowpipe;
        this.jwt = jwt;
    }

    /** Answers {@code SELECT name('...', ...)} with {@code function} from now on (name case-insensitive). */
    void systemFunction(String name, SystemFunction function) {
        functions.put(name.toUpperCase(Locale.ROOT), java.util.Objects.requireNonNull(function, "function"));
    }

    /** Hands {@code CREATE PIPE}s whose COPY reads {@code TABLE(DATA_SOURCE(TYPE => 'STREAMING'))} to {@code pipes}. */
    void streamingPipes(StreamingPipes pipes) {
        this.streamingPipes = java.util.Objects.requireNonNull(pipes, "pipes");
    }

    /** A SQL error: answered with 422. */
    static final class SqlError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;
        final String sqlState;

        SqlError(String code, String sqlState, String message) {
            super(message);
            this.code = code;
            this.sqlState = sqlState;
        }
    }

    /** A result under construction. */
    static final class Result {
        final List<String> columns;
        /** The columns' DDL types, for the {@code rowType}; null when every column is {@code text}. */
        final List<String> types;
        final List<List<String>> rows = new ArrayList<>();

        Result(String... columns) {
            this.columns = List.of(columns);
            this.types = null;
        }

        Result(List<String> columns, List<String> types) {
            this.columns = List.copyOf(columns);
            this.types = List.copyOf(types);
        }

        Result row(String... values) {
            rows.add(java.util.Arrays.asList(values));
            return this;
        }

        static Result status(String message) {
            return new Result("status").row(message);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!jwt.authenticate(exchange)) {
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if ("GET".equals(exchange.getRequestMethod()) && path.startsWith(PREFIX + "/")) {
            String handle = URLDecoder.decode(path.substring(PREFIX.length() + 1), StandardCharsets.UTF_8);
            if (requests.answerGet(exchange, handle)) {
                return;
            }
            ObjectNode result = results.get(handle);
            if (result == null) {
                ObjectNode body = HttpJson.MAPPER.createObjectNode();
                body.put("code", "000709");
                body.put("message", "Statement " + handle + " not found");
                body.put("statementHandle", handle);
                HttpJson.send(exchange, 404, body);
                return;
            }
            HttpJson.send(exchange, result.path("__status").asInt(200), strip(result));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            HttpJson.send(exchange, 405, HttpJson.error("405", "Method not allowed"));
            return;
        }
        JsonNode request = HttpJson.readJson(exchange);
        Map<String, String> query = HttpJson.query(exchange);
        String handle = UUID.randomUUID().toString();
        String requestId = query.get("requestId");
        if (requestId != null && "true".equals(query.get("retry"))) {
            ObjectNode earlier = results.get("request:" + requestId);
            if (earlier != null) { // a resubmitted request: answer what the first one did, do not run it again
                HttpJson.send(exchange, earlier.path("__status").asInt(200), strip(earlier));
                return;
            }
        }
        if (requests.answerPost(exchange, request, query, handle)) {
            return;
        }
        ObjectNode answer;
        int status;
        try {
            Result result = execute(request.path("statement").asText(""), text(request, "database"), text(request, "schema"),
                    text(request, "role"));
            answer = resultSet(handle, result);
            status = 200;
        } catch (SqlError e) {
            answer = HttpJson.MAPPER.createObjectNode();
            answer.put("code", e.code);
            answer.put("message", e.getMessage());
            answer.put("sqlState", e.sqlState);
            answer.put("statementHandle", handle);
            status = 422;
        }
        answer.put("__status", status);
        results.put(handle, answer);
        if (requestId != null) {
            results.put("request:" + requestId, answer);
        }
        if ("true".equals(query.get("async")) && status == 200) {
            ObjectNode accepted = HttpJson.MAPPER.createObjectNode();
            accepted.put("code", "333334");
            accepted.put("message", "Asynchronous execution in progress. Use provided query id to perform query monitoring"
                    + " and management.");
            accepted.put("statementHandle", handle);
            accepted.put("statementStatusUrl", PREFIX + "/" + handle);
            HttpJson.send(exchange, 202, accepted);
            return;
        }
        HttpJson.send(exchange, status, strip(answer));
    }

    private static ObjectNode strip(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        copy.remove("__status");
        return copy;
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    ObjectNode resultSet(String handle, Result result) {
        ObjectNode answer = HttpJson.MAPPER.createObjectNode();
        ObjectNode meta = answer.putObject("resultSetMetaData");
        meta.put("numRows", result.rows.size());
        meta.put("format", "jsonv2");
        ArrayNode rowType = meta.putArray("rowType");
        for (int i = 0; i < result.columns.size(); i++) {
            String ddl = result.types == null ? "TEXT" : result.types.get(i);
            rowType.addObject().put("name", result.columns.get(i)).put("type", SnowflakeText.apiType(ddl))
                    .put("precision", SnowflakeText.precision(ddl)).put("scale", SnowflakeText.scale(ddl)).put("nullable", true);
        }
        List<List<String>> first = requests.partition(handle, result.rows, meta.putArray("partitionInfo"));
        ArrayNode data = answer.putArray("data");
        for (List<String> row : first) {
            ArrayNode r = data.addArray();
            for (String v : row) {
                r.add(v);
            }
        }
        answer.put("code", "090001");
        answer.put("statementStatusUrl", PREFIX + "/" + handle);
        answer.put("sqlState", "00000");
        answer.put("statementHandle", handle);
        answer.put("message", "Statement executed successfully.");
        answer.put("createdOn", System.currentTimeMillis());
        return answer;
    }

    Result execute(String sql, String database, String schema) {
        return execute(sql, database, schema, null);
    }

    Result execute(String sql, String database, String schema, String role) {
        try {
            Result changed = changes.execute(sql, database, schema, role);
            return changed != null ? changed : run(sql, database, schema);
        } catch (NoSuchElementException e) {
            throw new SqlError("002003", "02000", "SQL compilation error:\n" + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SqlError("002002", "42710", "SQL compilation error:\n" + e.getMessage());
        }
    }

    private Result run(String sql, String db, String sc) {
        Matcher m;
        if ((m = CREATE_TABLE.matcher(sql)).matches()) {
            String name = Identifiers.qualify(m.group(3) != null ? m.group(3) : m.group(4), db, sc);
            List<ColumnDef> columns = new ArrayList<>();
            for (String def : splitTopLevel(m.group(5))) {
                columns.add(columnDef(def));
            }
            if (m.group(1) != null) {
                tables.drop(name);
            }
            boolean existed = tables.find(name).isPresent();
            tables.create(name, columns, m.group(2) != null);
            stages.create(tableStage(name));
            String object = Identifiers.split(name).get(2);
            return Result.status(existed ? object + " already exists, statement succeeded."
                    : "Table " + object + " successfully created.");
        }
        if ((m = CREATE_STAGE.matcher(sql)).matches()) {
            String name = Identifiers.qualify(m.group(3), db, sc);
            if (m.group(1) != null) {
                stages.drop(name);
            }
            boolean created = stages.create(name);
            if (!created && m.group(1) == null && m.group(2) == null) {
                throw new IllegalArgumentException("Object '" + name + "' already exists.");
            }
            String object = Identifiers.split(name).get(2);
            return Result.status(created ? "Stage area " + object + " successfully created." : object
                    + " already exists, statement succeeded.");
        }
        if ((m = CREATE_PIPE.matcher(sql)).matches()) {
            String name = Identifiers.qualify(m.group(3), db, sc);
            StreamingPipes streaming = streamingPipes;
            if (streaming != null && STREAMING_SOURCE.matcher(m.group(4)).find()) {
                boolean created = streaming.create(name, m.group(4).trim(), db, sc, m.group(1) != null, m.group(2) != null);
                String object = Identifiers.split(name).get(2);
                return Result.status(created ? "Pipe " + object + " successfully created." : object
                        + " already exists, statement succeeded.");
            }
            Matcher byName = COPY_BY_NAME.matcher(m.group(4).trim());
            if (byName.matches()) {
                String table = Identifiers.qualify(byName.group(1), db, sc);
                tables.get(table);
                String stage = Identifiers.qualify(byName.group(2), db, sc);
                stages.directory(stage);
                String prefix = byName.group(3) == null ? "" : byName.group(3).substring(1);
                if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                    prefix = prefix + "/";
                }
                boolean created = snowpipe.createPipe(name, new SnowpipeService.Definition(table, stage, prefix, null, null,
                        m.group(4).trim(), false), m.group(2) != null, m.group(1) != null);
                String object = Identifiers.split(name).get(2);
                return Result.status(created ? "Pipe " + object + " successfully created." : object
                        + " already exists, statement succeeded.");
            }
            Matcher copy = COPY.matcher(m.group(4).trim());
            if (!copy.matches()) {
                throw syntax(sql, "the emulator's pipes support COPY INTO t(cols) FROM (SELECT $1:field, ... FROM @stage) FILE_FORMAT = (TYPE = 'JSON')");
            }
            String table = Identifiers.qualify(copy.group(1), db, sc);
            tables.get(table);
            String stage = Identifiers.qualify(copy.group(4), db, sc);
            stages.directory(stage);
            List<String> columns = new ArrayList<>();
            for (String c : copy.group(2).split(",")) {
                columns.add(Identifiers.normalize(c.trim()));
            }
            List<String> fields = new ArrayList<>();
            for (String expr : splitTopLevel(copy.group(3))) {
                fields.add(field(expr, sql));
            }
            if (columns.size() != fields.size()) {
                throw new SqlError("002020", "21S01", "SQL compilation error:\nInsert value list does not match column list"
                        + " expecting " + columns.size() + " but got " + fields.size());
            }
            String prefix = copy.group(5) == null ? "" : copy.group(5).substring(1);
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
            boolean allowDuplicate = ALLOW_DUPLICATE.matcher(copy.group(6) == null ? "" : copy.group(6)).find();
            boolean created = snowpipe.createPipe(name, new SnowpipeService.Definition(table, stage, prefix, columns, fields,
                    m.group(4).trim(), allowDuplicate), m.group(2) != null, m.group(1) != null);
            String object = Identifiers.split(name).get(2);
            return Result.status(created ? "Pipe " + object + " successfully created." : object
                    + " already exists, statement succeeded.");
        }
        if ((m = DESCRIBE.matcher(sql)).matches()) {
            String kind = m.group(1).toUpperCase(Locale.ROOT);
            String name = Identifiers.qualify(m.group(2), db, sc);
            if ("TABLE".equals(kind)) {
                Result r = new Result("name", "type", "kind", "null?", "default", "primary key", "unique key", "check",
                        "expression", "comment", "policy name", "privacy domain");
                EmulatedTable table = tables.find(name).orElseThrow(() -> new NoSuchElementException(
                        "Table '" + name + "' does not exist or not authorized."));
                for (ColumnDef c : table.columns()) {
                    r.row(c.name(), c.type(), "COLUMN", c.nullable() ? "Y" : "N", null, "N", "N", null, null, null, null, null);
                }
                return r;
            }
            if ("STAGE".equals(kind)) {
                if (!stages.exists(name)) {
                    throw new NoSuchElementException("Stage '" + name + "' does not exist or not authorized.");
                }
                String url = stages.directory(name).toUri().toString();
                return new Result("parent_property", "property", "property_type", "property_value", "property_default")
                        .row("STAGE_LOCATION", "URL", "String", "[\"" + url + "\"]", "")
                        .row("STAGE_LOCATION", "STAGE_TYPE", "String", "LOCAL_FS", "INTERNAL")
                        .row("STAGE_FILE_FORMAT", "TYPE", "String", "CSV", "CSV");
            }
            SnowpipeService.Definition d = snowpipe.pipe(name).orElseThrow(() -> new NoSuchElementException(
                    "Pipe '" + name + "' does not exist or not authorized."));
            List<String> parts = Identifiers.split(name);
            return new Result("created_on", "name", "database_name", "schema_name", "definition", "owner", "notification_channel",
                    "comment").row(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(java.time.OffsetDateTime.now(ZoneOffset.UTC)),
                    parts.get(2), parts.get(0), parts.get(1), d.text(), "SYSADMIN", null, "");
        }
        if ((m = ALTER_ADD.matcher(sql)).matches()) {
            EmulatedTable table = tables.get(Identifiers.qualify(m.group(1), db, sc));
            for (String def : splitTopLevel(m.group(3))) {
                String d = def.trim().replaceFirst("(?i)^COLUMN\\s+", "");
                table.addColumn(columnDef(d), m.group(2) != null);
            }
            return Result.status("Statement executed successfully.");
        }
        if ((m = ALTER_DROP_NOT_NULL.matcher(sql)).matches()) {
            EmulatedTable table = tables.get(Identifiers.qualify(m.group(1), db, sc));
            table.dropNotNull(Identifiers.normalize(m.group(2).trim()));
            return Result.status("Statement executed successfully.");
        }
        if ((m = LIST.matcher(sql)).matches()) {
            String stage = stageName(m.group(1), db, sc);
            String prefix = m.group(2) == null ? "" : m.group(2).substring(1);
            Pattern pattern = m.group(3) == null ? null : Pattern.compile(m.group(3).replace("''", "'"));
            Result r = new Result("name", "size", "md5", "last_modified");
            String shown = listPrefix(stage);
            for (StageStore.StagedFile f : stages.list(stage, prefix)) {
                if (pattern == null || pattern.matcher(shown + f.path()).matches()) {
                    r.row(shown + f.path(), Long.toString(f.size()), f.md5(),
                            DateTimeFormatter.RFC_1123_DATE_TIME.format(f.lastModified().atZone(ZoneOffset.UTC)));
                }
            }
            return r;
        }
        if ((m = REMOVE.matcher(sql)).matches()) {
            String stage = stageName(m.group(1), db, sc);
            String prefix = m.group(2) == null ? "" : m.group(2).substring(1);
            Pattern pattern = m.group(3) == null ? null : Pattern.compile(m.group(3).replace("''", "'"));
            Result r = new Result("name", "result");
            String shown = listPrefix(stage);
            for (StageStore.StagedFile f : stages.list(stage, prefix)) {
                if (pattern == null || pattern.matcher(shown + f.path()).matches()) {
                    stages.remove(stage, f.path());
                    r.row(shown + f.path(), "removed");
                }
            }
            return r;
        }
        if ((m = COPY_FILES.matcher(sql)).matches()) {
            String target = stageName(m.group(1), db, sc);
            String targetPrefix = m.group(2) == null ? "" : m.group(2).substring(1);
            if (!targetPrefix.isEmpty() && !targetPrefix.endsWith("/")) {
                targetPrefix += "/";
            }
            String source = stageName(m.group(3), db, sc);
            String sourcePrefix = m.group(4) == null ? "" : m.group(4).substring(1);
            if (!sourcePrefix.isEmpty() && !sourcePrefix.endsWith("/")) {
                sourcePrefix += "/";
            }
            Result r = new Result("file");
            for (String quoted : splitTopLevel(m.group(5))) {
                String file = quoted.trim().replaceAll("^'|'$", "").replace("''", "'");
                byte[] bytes = stages.read(source, sourcePrefix + file);
                if (bytes == null) {
                    throw new SqlError("091016", "22000", "Remote file '" + sourcePrefix + file + "' was not found.");
                }
                stages.write(target, targetPrefix + file, bytes);
                r.row(targetPrefix + file);
            }
            return r;
        }
        if ((m = DROP.matcher(sql)).matches()) {
            String kind = m.group(1).toUpperCase(Locale.ROOT);
            String name = Identifiers.qualify(m.group(3), db, sc);
            boolean dropped = "TABLE".equals(kind) ? tables.drop(name) : "STAGE".equals(kind) ? stages.drop(name)
                    : snowpipe.dropPipe(name);
            if (!dropped && m.group(2) == null) {
                throw new NoSuchElementException(kind.charAt(0) + kind.substring(1).toLowerCase(Locale.ROOT) + " '" + name
                        + "' does not exist or not authorized.");
            }
            return Result.status(Identifiers.split(name).get(2) + " successfully dropped.");
        }
        if (SHOW_PIPES.matcher(sql).matches()) {
            Result r = new Result("created_on", "name", "database_name", "schema_name", "definition");
            for (String name : snowpipe.pipeNames()) {
                List<String> parts = Identifiers.split(name);
                r.row(null, parts.get(2), parts.get(0), parts.get(1), snowpipe.pipe(name).map(SnowpipeService.Definition::text)
                        .orElse(""));
            }
            return r;
        }
        if ((m = SYSTEM_CALL.matcher(sql)).matches()) {
            SystemFunction f = functions.get(m.group(1).toUpperCase(Locale.ROOT));
            if (f == null) {
                throw new SqlError("002140", "42601", "SQL compilation error:\nUnknown function " + m.group(1));
            }
            List<String> args = new ArrayList<>();
            Matcher literal = LITERAL.matcher(m.group(2));
            while (literal.find()) {
                args.add(literal.group(1).replace("''", "'"));
            }
            return new Result(m.group(1).toUpperCase(Locale.ROOT)).row(f.call(args, db, sc));
        }
        if (SELECT_ONE.matcher(sql).matches()) {
            return new Result("1").row("1");
        }
        if (NOOP.matcher(sql).matches()) {
            return Result.status("Statement executed successfully.");
        }
        throw syntax(sql, "the emulator does not support this statement");
    }

    private static SqlError syntax(String sql, String why) {
        String shown = sql.replaceAll("\\s+", " ").trim();
        return new SqlError("001003", "42000", "SQL compilation error:\nsyntax error line 1 at position 0 unexpected '"
                + (shown.length() > 60 ? shown.substring(0, 60) + "..." : shown) + "' (" + why + ").");
    }

    /** {@code @name}: a named stage, or {@code %table} / {@code db.schema.%table} for a table stage. */
    private static String stageName(String ref, String db, String sc) {
        return Identifiers.qualify(ref, db, sc);
    }

    /** Snowflake lists a named stage's files as {@code stagename/path} (lower case), a table stage's as {@code path}. */
    private static String listPrefix(String stage) {
        String object = Identifiers.split(stage).get(2);
        return object.startsWith("%") ? "" : object.toLowerCase(Locale.ROOT) + "/";
    }

    static String tableStage(String qualifiedTable) {
        List<String> parts = Identifiers.split(qualifiedTable);
        return Identifiers.requote(parts.get(0)) + "." + Identifiers.requote(parts.get(1)) + ".\"%"
                + parts.get(2).replace("\"", "\"\"") + "\"";
    }

    private static String field(String expr, String sql) {
        String e = expr.trim().replaceAll("(?i)::\\s*VARIANT$", "").trim();
        if ("$1".equals(e)) {
            return null;
        }
        Matcher m = Pattern.compile("\\$1\\s*:\\s*(\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+)").matcher(e);
        if (!m.matches()) {
            throw syntax(sql, "the emulator's pipes select $1 or $1:field, was " + expr.trim());
        }
        String f = m.group(1);
        // Snowflake's $1:field path element is case-sensitive, quoted or not
        return f.startsWith("\"") ? f.substring(1, f.length() - 1).replace("\"\"", "\"") : f;
    }

    private static ColumnDef columnDef(String def) {
        String d = def.trim().replaceAll("(?i)\\s+COMMENT\\s+'(?:[^']|'')*'", "");
        Matcher m = Pattern.compile("(\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+)\\s+(.*?)(\\s+NOT\\s+NULL)?(\\s+NULL)?\\s*", I).matcher(d);
        if (!m.matches()) {
            throw new SqlError("001003", "42000", "SQL compilation error:\nsyntax error in column definition '" + def.trim() + "'");
        }
        return new ColumnDef(Identifiers.normalize(m.group(1)), m.group(2).trim(), m.group(3) == null);
    }

    static List<String> splitTopLevel(String text) {
        return SnowflakeText.splitTopLevel(text);
    }
}
