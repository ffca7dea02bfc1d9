package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Snowflake JDBC driver's own protocol, beside the SQL REST API and sharing its statement engine
 * ({@link SqlService#execute}) and its JWT check: {@code POST /session/v1/login-request} (key-pair JWT),
 * {@code /queries/v1/query-request} (statements with positional bindings, {@code identifier(?)} included, answered
 * as JSON result sets or as the driver's error envelope), {@code PUT} answered as a {@code LOCAL_FS} stage (the stage's
 * folder; the default) or, when {@link #cloudStages} is on, as a GCS stage with presigned URLs back to the emulator
 * and real encryption material, {@code GET} out of the stage's folder, {@code USE} kept per session, and {@code /session?delete=true},
 * {@code /session/heartbeat}, {@code /session/token-request}.
 *
 * <p>Every answer is HTTP 200 with {@code {"data":..,"code":..,"message":..,"success":..}}, as the driver expects;
 * a refused login or a failed statement says {@code success:false} with Snowflake's code (and, for statements, its
 * SQL state), which the driver turns into a {@code SnowflakeSQLException}. The emulator's faults apply to these
 * routes as to every other. Thread-safe.
 */
final class JdbcService implements HttpHandler {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcService.class);
    static final String SESSION_PREFIX = "/session";
    static final String QUERIES_PREFIX = "/queries/";
    static final String UPLOAD_PREFIX = "/gcs-upload/";

    private static final int I = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final Pattern TOKEN = Pattern.compile("Snowflake\\s+Token=\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);
    private static final String QUOTED_OR_BARE = "('(?:[^']|'')*'|\\S+)";
    private static final Pattern PUT = Pattern.compile("\\s*PUT\\s+" + QUOTED_OR_BARE + "\\s+" + QUOTED_OR_BARE + "(.*?);?\\s*", I);
    private static final Pattern GET = Pattern.compile("\\s*GET\\s+" + QUOTED_OR_BARE + "\\s+" + QUOTED_OR_BARE + "(.*?);?\\s*", I);
    private static final Pattern OPTION = Pattern.compile("([A-Za-z_]+)\\s*=\\s*('(?:[^']|'')*'|[^\\s;]+)");
    private static final Pattern USE = Pattern.compile(
            "\\s*USE\\s+(?:(DATABASE|SCHEMA|ROLE|WAREHOUSE|SECONDARY\\s+ROLES)\\s+)?(\"(?:[^\"]|\"\")*\"(?:\\.\"(?:[^\"]|\"\")*\"|\\.[A-Za-z_$0-9]+)?|[A-Za-z_$0-9]+(?:\\.(?:\"(?:[^\"]|\"\")*\"|[A-Za-z_$0-9]+))?)\\s*;?\\s*", I);
    private static final Pattern SELECT_CURRENT = Pattern.compile(
            "\\s*SELECT\\s+(CURRENT_(?:DATABASE|SCHEMA|ROLE|WAREHOUSE|USER)\\s*\\(\\s*\\)(?:\\s*,\\s*CURRENT_(?:DATABASE|SCHEMA|ROLE|WAREHOUSE|USER)\\s*\\(\\s*\\))*)\\s*;?\\s*", I);
    private static final Pattern IDENTIFIER_OPEN = Pattern.compile("(?i)IDENTIFIER\\s*\\(\\s*$");

    /** Statement type ids the driver reads to decide what {@code execute} and {@code executeUpdate} return. */
    static final long SELECT = 0x1000;
    static final long USE_TYPE = 0x4300;
    static final long SHOW = 0x4400;
    static final long DESCRIBE = 0x4500;
    static final long LIST = 0x4701;
    static final long DDL = 0x6000;
    static final long GET_TYPE = 0x7101;
    static final long PUT_TYPE = 0x7102;
    static final long REMOVE = 0x7103;

    private final SqlService sql;
    private final StageStore stages;
    private final JwtVerifier jwt;
    private final String user;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Session> masterTokens = new ConcurrentHashMap<>();
    private final List<JdbcLogin> logins = new CopyOnWriteArrayList<>();
    private final List<JdbcPut> puts = new CopyOnWriteArrayList<>();
    private final AtomicLong sessionIds = new AtomicLong(1_000_000);
    private final Map<String, PresignedUpload> presignedUploads = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final byte[] stageMasterKey = new byte[16];
    private final String baseUrl;
    private volatile boolean cloudStages;

    JdbcService(SqlService sql, StageStore stages, JwtVerifier jwt, String user, String baseUrl) {
        this.sql = sql;
        this.stages = stages;
        this.jwt = jwt;
        this.user = user.toUpperCase(Locale.ROOT);
        this.baseUrl = baseUrl;
        random.nextBytes(stageMasterKey);
    }

    /** Where a presigned upload URL puts the file, and the master key its encryption material carried. */
    private record PresignedUpload(String stage, String prefix, String path, String source, byte[] masterKey) {
    }

    /** Answer PUT as a GCS stage with presigned URLs back to the emulator (true) or as a LOCAL_FS stage (false). */
    void cloudStages(boolean on) {
        this.cloudStages = on;
    }

    /** One signed-in session: the database, schema, role and warehouse in context. */
    private static final class Session {
        final long id;
        final String token = UUID.randomUUID().toString();
        final String masterToken = UUID.randomUUID().toString();
        volatile String database;
        volatile String schema;
        volatile String role;
        volatile String warehouse;

        Session(long id, String database, String schema, String role, String warehouse) {
            this.id = id;
            this.database = database;
            this.schema = schema;
            this.role = role;
            this.warehouse = warehouse;
        }
    }

    List<JdbcLogin> logins() {
        return List.copyOf(logins);
    }

    List<JdbcPut> puts() {
        return List.copyOf(puts);
    }

    int openSessions() {
        return sessions.size();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith(UPLOAD_PREFIX)) {
            presignedUpload(exchange, path.substring(UPLOAD_PREFIX.length()));
            return;
        }
        Map<String, String> query = HttpJson.query(exchange);
        JsonNode body = readBody(exchange);
        ObjectNode answer;
        if ("/session/v1/login-request".equals(path)) {
            answer = login(body, query);
        } else if ("/session/token-request".equals(path)) {
            answer = renew(exchange, body);
        } else if ("/session/heartbeat".equals(path)) {
            answer = session(exchange) == null ? expired() : success(null);
        } else if (SESSION_PREFIX.equals(path) && "true".equals(query.get("delete"))) {
            Session s = session(exchange);
            if (s != null) {
                sessions.remove(s.token);
                masterTokens.remove(s.masterToken);
            }
            answer = success(null);
        } else if ("/queries/v1/query-request".equals(path)) {
            Session s = session(exchange);
            answer = s == null ? expired() : query(s, body);
        } else if ("/queries/v1/abort-request".equals(path)) {
            answer = session(exchange) == null ? expired() : success(null);
        } else {
            HttpJson.send(exchange, 404, HttpJson.error("404", "Not found: " + path));
            return;
        }
        HttpJson.send(exchange, 200, answer);
    }

    // ------------------------------------------------------------------ sessions

    private ObjectNode login(JsonNode body, Map<String, String> query) {
        JsonNode data = body.path("data");
        String authenticator = data.path("AUTHENTICATOR").asText("");
        if (!"SNOWFLAKE_JWT".equalsIgnoreCase(authenticator)) {
            return HttpJson.error("390100", "Incorrect username or password was specified. (the emulator signs in with"
                    + " key-pair JWTs only: authenticator=SNOWFLAKE_JWT, was '" + authenticator + "')");
        }
        Optional<String> problem = jwt.check("Bearer " + data.path("TOKEN").asText(""));
        if (problem.isPresent()) {
            return HttpJson.error(JwtVerifier.INVALID_JWT_CODE, "JWT token is invalid. [" + problem.get() + "]");
        }
        String login = data.path("LOGIN_NAME").asText("");
        if (!login.equalsIgnoreCase(user)) {
            return HttpJson.error("390100", "Incorrect username or password was specified. (user '" + login + "')");
        }
        Session s = new Session(sessionIds.incrementAndGet(), query.get("databaseName"), query.get("schemaName"),
                query.get("roleName"), query.get("warehouse"));
        sessions.put(s.token, s);
        masterTokens.put(s.masterToken, s);
        JsonNode environment = data.path("CLIENT_ENVIRONMENT");
        logins.add(new JdbcLogin(login, data.path("CLIENT_APP_ID").asText(""), data.path("CLIENT_APP_VERSION").asText(""),
                environment.isObject() ? environment.deepCopy() : HttpJson.MAPPER.createObjectNode(), Instant.now()));
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.put("token", s.token);
        d.put("masterToken", s.masterToken);
        d.put("validityInSeconds", 3600);
        d.put("masterValidityInSeconds", 14400);
        d.put("sessionId", s.id);
        d.put("serverVersion", "9.0.0 ksbridge-emulator");
        d.put("healthCheckInterval", 45);
        d.putNull("idToken");
        d.putNull("mfaToken");
        d.putNull("newClientForUpgrade");
        ArrayNode parameters = d.putArray("parameters");
        parameters.addObject().put("name", "AUTOCOMMIT").put("value", true); // without it the driver fails at connect
        parameters.addObject().put("name", "CLIENT_TELEMETRY_ENABLED").put("value", false);
        parameters.addObject().put("name", "CLIENT_SESSION_KEEP_ALIVE").put("value", false);
        ObjectNode info = d.putObject("sessionInfo");
        info.put("databaseName", s.database);
        info.put("schemaName", s.schema);
        info.put("warehouseName", s.warehouse);
        info.put("roleName", s.role);
        return success(d);
    }

    private ObjectNode renew(HttpExchange exchange, JsonNode body) {
        Session s = masterTokens.get(token(exchange));
        if (s == null) {
            return HttpJson.error("390114", "Authentication token has expired.  The user must authenticate again.");
        }
        // the session keeps its token: the emulator's tokens do not expire
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.put("sessionToken", s.token);
        d.put("validityInSecondsST", 3600);
        d.put("masterToken", s.masterToken);
        d.put("validityInSecondsMT", 14400);
        d.put("sessionId", s.id);
        return success(d);
    }

    private Session session(HttpExchange exchange) {
        String token = token(exchange);
        return token == null ? null : sessions.get(token);
    }

    private static String token(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            return null;
        }
        Matcher m = TOKEN.matcher(auth);
        return m.find() ? m.group(1) : null;
    }

    private static ObjectNode expired() {
        return HttpJson.error("390111", "Session no longer exists.  New login required to access the service.");
    }

    private static ObjectNode success(JsonNode data) {
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        node.set("data", data == null ? HttpJson.MAPPER.nullNode() : data);
        node.putNull("code");
        node.putNull("message");
        node.put("success", true);
        return node;
    }

    // ------------------------------------------------------------------ statements

    private ObjectNode query(Session s, JsonNode body) {
        String queryId = UUID.randomUUID().toString();
        String text = body.path("sqlText").asText("");
        try {
            String statement = bind(text, body.path("bindings"));
            if (body.path("describeOnly").asBoolean(false)) {
                // the driver describes to learn the shape (getMetaData, batches): nothing runs
                return resultSet(s, queryId, statementType(statement), new SqlService.Result());
            }
            Matcher m;
            if ((m = PUT.matcher(statement)).matches()) {
                return put(s, queryId, m);
            }
            if ((m = GET.matcher(statement)).matches()) {
                return get(s, queryId, m);
            }
            if ((m = USE.matcher(statement)).matches()) {
                use(s, m);
                return resultSet(s, queryId, USE_TYPE, SqlService.Result.status("Statement executed successfully."));
            }
            if ((m = SELECT_CURRENT.matcher(statement)).matches()) {
                return current(s, queryId, m.group(1));
            }
            SqlService.Result result = sql.execute(statement, s.database, s.schema);
            return resultSet(s, queryId, statementType(statement), result);
        } catch (SqlService.SqlError e) {
            return error(queryId, e.code, e.sqlState, e.getMessage());
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
            return error(queryId, "002003", "02000", "SQL compilation error:\n" + e.getMessage());
        }
    }

    private static ObjectNode error(String queryId, String code, String sqlState, String message) {
        ObjectNode node = HttpJson.MAPPER.createObjectNode();
        ObjectNode d = node.putObject("data");
        d.put("internalError", false);
        d.put("errorCode", code);
        d.put("age", 0);
        d.put("sqlState", sqlState);
        d.put("queryId", queryId);
        d.put("line", -1);
        d.put("pos", -1);
        d.put("type", "COMPILATION");
        node.put("code", code); // always a code: without one the driver dumps the answer into output.json
        node.put("message", message);
        node.put("success", false);
        node.putNull("headers");
        return node;
    }

    private ObjectNode resultSet(Session s, String queryId, long type, SqlService.Result result) {
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.putArray("parameters");
        ArrayNode rowtype = d.putArray("rowtype");
        boolean[] fixed = new boolean[result.columns.size()];
        for (int c = 0; c < result.columns.size(); c++) {
            fixed[c] = isFixed(result, c);
            ObjectNode col = rowtype.addObject();
            col.put("name", result.columns.get(c));
            col.put("database", "");
            col.put("schema", "");
            col.put("table", "");
            col.put("nullable", true);
            col.putNull("collation");
            if (fixed[c]) {
                col.put("type", "fixed");
                col.put("precision", 38);
                col.put("scale", 0);
                col.putNull("length");
                col.putNull("byteLength");
            } else {
                col.put("type", "text");
                col.putNull("precision");
                col.putNull("scale");
                col.put("length", 16_777_216);
                col.put("byteLength", 16_777_216);
            }
        }
        ArrayNode rowset = d.putArray("rowset");
        for (List<String> row : result.rows) {
            ArrayNode r = rowset.addArray();
            for (String v : row) {
                r.add(v);
            }
        }
        d.put("total", result.rows.size());
        d.put("returned", result.rows.size());
        d.put("queryId", queryId);
        d.putNull("databaseProvider");
        d.put("finalDatabaseName", s.database);
        d.put("finalSchemaName", s.schema);
        d.put("finalWarehouseName", s.warehouse);
        d.put("finalRoleName", s.role);
        d.put("numberOfBinds", 0);
        d.put("arrayBindSupported", false);
        d.put("statementTypeId", type);
        d.put("version", 1);
        d.put("sendResultTime", System.currentTimeMillis());
        d.put("queryResultFormat", "json");
        return success(d);
    }

    /** A column of whole numbers only (LIST's size, {@code SELECT 1}): typed {@code fixed}, as Snowflake types them. */
    private static boolean isFixed(SqlService.Result result, int column) {
        String name = result.columns.get(column);
        if (!"size".equals(name) && !name.matches("-?\\d+")) {
            return false;
        }
        for (List<String> row : result.rows) {
            String v = row.get(column);
            if (v != null && !v.matches("-?\\d+")) {
                return false;
            }
        }
        return true;
    }

    private void use(Session s, Matcher m) {
        String kind = m.group(1) == null ? "" : m.group(1).toUpperCase(Locale.ROOT);
        String name = m.group(2);
        List<String> parts = Identifiers.split(name);
        switch (kind) {
            case "ROLE":
                s.role = parts.get(parts.size() - 1);
                break;
            case "WAREHOUSE":
                s.warehouse = parts.get(parts.size() - 1);
                break;
            case "SECONDARY ROLES":
                break;
            case "SCHEMA":
                if (parts.size() == 2) {
                    s.database = parts.get(0);
                    s.schema = parts.get(1);
                } else {
                    if (s.database == null) {
                        throw new IllegalArgumentException("Cannot perform USE SCHEMA. This session does not have a current"
                                + " database. Call 'USE DATABASE', or use a qualified name.");
                    }
                    s.schema = parts.get(0);
                }
                break;
            default: // DATABASE, or a bare USE db[.schema]
                s.database = parts.get(0);
                s.schema = parts.size() == 2 ? parts.get(1) : "PUBLIC"; // as Snowflake: a database's PUBLIC schema
        }
    }

    private ObjectNode current(Session s, String queryId, String list) {
        SqlService.Result result;
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String f : list.split(",")) {
            String fn = f.replaceAll("\\s", "").toUpperCase(Locale.ROOT);
            names.add(fn);
            switch (fn) {
                case "CURRENT_DATABASE()":
                    values.add(s.database);
                    break;
                case "CURRENT_SCHEMA()":
                    values.add(s.schema);
                    break;
                case "CURRENT_ROLE()":
                    values.add(s.role);
                    break;
                case "CURRENT_WAREHOUSE()":
                    values.add(s.warehouse);
                    break;
                default:
                    values.add(user);
            }
        }
        result = new SqlService.Result(names.toArray(new String[0]));
        result.row(values.toArray(new String[0]));
        return resultSet(s, queryId, SELECT, result);
    }

    // ------------------------------------------------------------------ file transfer

    /** {@code PUT file://<path> @stage[/prefix] [OPTION = value ...]}: tells the driver to copy into the stage's folder. */
    private ObjectNode put(Session s, String queryId, Matcher m) {
        String local = unquote(m.group(1));
        if (!local.regionMatches(true, 0, "file://", 0, 7)) {
            throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nPUT needs a file:// source, was " + local);
        }
        String source = local.substring(7);
        StageRef stage = stage(m.group(2), s);
        Map<String, String> options = options(m.group(3));
        Path folder = stages.directory(stage.name).resolve(stage.prefix).normalize().toAbsolutePath();
        if (!folder.startsWith(stages.directory(stage.name).toAbsolutePath())) {
            throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nthe path '" + stage.prefix
                    + "' leaves the stage");
        }
        if (folder.toString().contains("~")) {
            // the driver replaces every ~ in a LOCAL_FS location with user.home
            throw new SqlService.SqlError("000603", "XX000", "the emulator's stage folder " + folder
                    + " contains '~', which the JDBC driver rewrites; start the emulator under another folder");
        }
        if (cloudStages) {
            return presignedPut(queryId, stage, source, options);
        }
        puts.add(new JdbcPut(stage.name, stage.prefix, source, Instant.now()));
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.put("command", "UPLOAD");
        d.putArray("src_locations").add(source); // exactly the command's path, or the driver refuses the answer
        d.put("parallel", 4);
        d.put("threshold", 200L << 20);
        d.put("autoCompress", bool(options.get("AUTO_COMPRESS"), true));
        d.put("overwrite", bool(options.get("OVERWRITE"), false));
        d.put("sourceCompression", options.getOrDefault("SOURCE_COMPRESSION", "auto_detect").toLowerCase(Locale.ROOT));
        d.put("clientShowEncryptionParameter", false);
        d.set("stageInfo", localStage(folder));
        d.putNull("encryptionMaterial");
        d.put("queryId", queryId);
        d.put("statementTypeId", PUT_TYPE);
        d.set("rowtype", HttpJson.MAPPER.createArrayNode());
        d.set("rowset", HttpJson.MAPPER.createArrayNode());
        return success(d);
    }

    /** {@code GET @stage[/prefix] file://<folder> [PATTERN = '...']}: tells the driver which files to copy where. */
    private ObjectNode get(Session s, String queryId, Matcher m) {
        StageRef stage = stage(m.group(1), s);
        String local = unquote(m.group(2));
        if (!local.regionMatches(true, 0, "file://", 0, 7)) {
            throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nGET needs a file:// target, was " + local);
        }
        Map<String, String> options = options(m.group(3));
        Pattern pattern = options.containsKey("PATTERN") ? Pattern.compile(options.get("PATTERN")) : null;
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.put("command", "DOWNLOAD");
        ArrayNode sources = d.putArray("src_locations");
        ArrayNode materials = d.putArray("encryptionMaterial");
        for (StageStore.StagedFile f : stages.list(stage.name, stage.prefix)) {
            if (pattern == null || pattern.matcher(f.path()).matches()) {
                sources.add(f.path());
                materials.addNull();
            }
        }
        d.put("localLocation", local.substring(7)); // exactly the command's folder
        d.put("parallel", 10);
        d.put("autoCompress", false);
        d.put("overwrite", false);
        d.put("sourceCompression", "none");
        d.set("stageInfo", localStage(stages.directory(stage.name).toAbsolutePath()));
        d.put("queryId", queryId);
        d.put("statementTypeId", GET_TYPE);
        d.set("rowtype", HttpJson.MAPPER.createArrayNode());
        d.set("rowset", HttpJson.MAPPER.createArrayNode());
        return success(d);
    }

    /**
     * A PUT answered as Snowflake answers it for a GCS stage without an access token: a presigned URL per file
     * (here back to the emulator) and encryption material with a fresh master key. The driver asks once with its
     * placeholder and once per file with the file's name, encrypts the file (AES-CBC under a random file key, itself
     * AES-ECB-wrapped with the master key) and PUTs it to the URL; {@link #presignedUpload} decrypts it onto the
     * stage.
     */
    private ObjectNode presignedPut(String queryId, StageRef stage, String source, Map<String, String> options) {
        String file = source.substring(source.lastIndexOf('/') + 1);
        String prefix = stage.prefix.isEmpty() || stage.prefix.endsWith("/") ? stage.prefix : stage.prefix + "/";
        // one master key for all: the driver encrypts with the material of its first answer (the placeholder's) and
        // uploads to the URL of the second
        byte[] masterKey = stageMasterKey;
        String token = UUID.randomUUID().toString();
        presignedUploads.put(token, new PresignedUpload(stage.name, stage.prefix, prefix + file, source, masterKey));
        ObjectNode d = HttpJson.MAPPER.createObjectNode();
        d.put("command", "UPLOAD");
        d.putArray("src_locations").add(source);
        d.put("parallel", 4);
        d.put("threshold", 200L << 20);
        d.put("autoCompress", bool(options.get("AUTO_COMPRESS"), true));
        d.put("overwrite", bool(options.get("OVERWRITE"), false));
        d.put("sourceCompression", options.getOrDefault("SOURCE_COMPRESSION", "auto_detect").toLowerCase(Locale.ROOT));
        d.put("clientShowEncryptionParameter", false);
        ObjectNode info = d.putObject("stageInfo");
        info.put("locationType", "GCS");
        info.put("location", "ksbridge-emulator/" + stage.name + "/" + prefix);
        info.put("path", stage.name + "/" + prefix);
        info.put("region", "US-CENTRAL1");
        info.putNull("storageAccount");
        info.putNull("endPoint");
        info.put("isClientSideEncrypted", true);
        info.putObject("creds"); // no GCS_ACCESS_TOKEN: the driver uploads to presignedUrl
        info.put("presignedUrl", baseUrl + UPLOAD_PREFIX + token);
        ObjectNode material = d.putObject("encryptionMaterial");
        material.put("queryStageMasterKey", Base64.getEncoder().encodeToString(masterKey));
        material.put("queryId", queryId);
        material.put("smkId", 1_000 + (random.nextInt() & 0xffff));
        d.put("queryId", queryId);
        d.put("statementTypeId", PUT_TYPE);
        d.set("rowtype", HttpJson.MAPPER.createArrayNode());
        d.set("rowset", HttpJson.MAPPER.createArrayNode());
        return success(d);
    }

    /** The HTTP PUT of an encrypted file to a presigned URL: decrypted with the URL's master key onto the stage. */
    private void presignedUpload(HttpExchange exchange, String token) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        PresignedUpload upload = presignedUploads.get(token);
        if (upload == null || !"PUT".equals(exchange.getRequestMethod())) {
            HttpJson.send(exchange, 404, HttpJson.error("404", "no presigned upload " + token));
            return;
        }
        byte[] plain = body;
        String encryption = exchange.getRequestHeaders().getFirst("x-goog-meta-encryptiondata");
        if (encryption != null) {
            try {
                JsonNode meta = HttpJson.MAPPER.readTree(encryption);
                byte[] wrapped = Base64.getDecoder().decode(meta.path("WrappedContentKey").path("EncryptedKey").asText());
                byte[] iv = Base64.getDecoder().decode(meta.path("ContentEncryptionIV").asText());
                Cipher unwrap = Cipher.getInstance("AES/ECB/PKCS5Padding");
                unwrap.init(Cipher.DECRYPT_MODE, new SecretKeySpec(upload.masterKey(), "AES"));
                byte[] fileKey = unwrap.doFinal(wrapped);
                Cipher content = Cipher.getInstance("AES/CBC/PKCS5Padding");
                content.init(Cipher.DECRYPT_MODE, new SecretKeySpec(fileKey, "AES"), new IvParameterSpec(iv));
                plain = content.doFinal(body);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                HttpJson.send(exchange, 400, HttpJson.error("400", "cannot decrypt the upload to " + upload.path() + ": " + e));
                return;
            }
        }
        String digest = exchange.getRequestHeaders().getFirst("x-goog-meta-sfc-digest");
        if (digest != null && !digest.equals(sha256(plain))) {
            // seen with driver 3.28: a presigned upload retried after a lost response re-sends the already consumed
            // stream, an empty body; cloud storage would keep the empty object and Snowpipe load it as 0 rows
            LOG.warn("emulator refused a presigned upload to {}: {} bytes that do not match the driver's own digest"
                    + " (a retry re-sending a consumed stream?)", upload.path(), plain.length);
            HttpJson.send(exchange, 400, HttpJson.error("400", "the upload to " + upload.path() + " does not match its"
                    + " x-goog-meta-sfc-digest (" + plain.length + " bytes)"));
            return;
        }
        stages.write(upload.stage(), upload.path(), plain);
        puts.add(new JdbcPut(upload.stage(), upload.prefix(), upload.source(), Instant.now()));
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    private static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode localStage(Path folder) {
        ObjectNode stage = HttpJson.MAPPER.createObjectNode();
        stage.put("locationType", "LOCAL_FS");
        stage.put("location", folder.toString());
        stage.put("path", folder.toString());
        stage.putNull("region");
        stage.putNull("storageAccount");
        stage.putNull("endPoint");
        stage.put("isClientSideEncrypted", false);
        stage.putObject("creds");
        return stage;
    }

    private record StageRef(String name, String prefix) {
    }

    /** {@code @db.schema.stage/some/prefix} (or quoted) resolved in the session's context; the stage must exist. */
    private StageRef stage(String ref, Session s) {
        String r = unquote(ref);
        if (!r.startsWith("@")) {
            throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nexpected a stage (@name), was " + r);
        }
        r = r.substring(1);
        int slash = -1;
        boolean quoted = false;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '/' && !quoted) {
                slash = i;
                break;
            }
        }
        String name = slash < 0 ? r : r.substring(0, slash);
        String prefix = slash < 0 ? "" : r.substring(slash + 1);
        while (prefix.startsWith("/")) {
            prefix = prefix.substring(1);
        }
        if (name.equals("~")) {
            throw new SqlService.SqlError("000002", "0A000", "Unsupported feature: the emulator has no user stage (@~);"
                    + " use a named stage");
        }
        String qualified = Identifiers.qualify(name, s.database, s.schema);
        if (!stages.exists(qualified)) {
            throw new SqlService.SqlError("002003", "02000", "SQL compilation error:\nStage '" + qualified
                    + "' does not exist or not authorized.");
        }
        return new StageRef(qualified, prefix);
    }

    private static Map<String, String> options(String text) {
        Map<String, String> options = new TreeMap<>();
        Matcher m = OPTION.matcher(text == null ? "" : text);
        while (m.find()) {
            options.put(m.group(1).toUpperCase(Locale.ROOT), unquote(m.group(2)));
        }
        return options;
    }

    private static boolean bool(String value, boolean fallback) {
        return value == null ? fallback : "TRUE".equalsIgnoreCase(value);
    }

    private static String unquote(String s) {
        String t = s.trim();
        if (t.length() >= 2 && t.startsWith("'") && t.endsWith("'")) {
            return t.substring(1, t.length() - 1).replace("''", "'");
        }
        return t;
    }

    // ------------------------------------------------------------------ bindings and statement types

    /**
     * The statement with its positional bindings in place: {@code identifier(?)} becomes the bound name as written,
     * any other {@code ?} a literal (text quoted, numbers and booleans as they are, null as {@code NULL}).
     */
    static String bind(String sql, JsonNode bindings) {
        if (bindings == null || !bindings.isObject() || bindings.isEmpty()) {
            return sql;
        }
        StringBuilder out = new StringBuilder(sql.length() + 32);
        boolean single = false;
        boolean dbl = false;
        int index = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '?' && !single && !dbl) {
                index++;
                JsonNode b = bindings.get(Integer.toString(index));
                if (b == null) {
                    throw new SqlService.SqlError("002049", "42601", "SQL compilation error: error line 1 at position " + i
                            + "\nBind variable ? not set.");
                }
                JsonNode value = b.path("value");
                Matcher open = IDENTIFIER_OPEN.matcher(out);
                if (open.find()) {
                    int close = sql.indexOf(')', i + 1);
                    if (close < 0 || !sql.substring(i + 1, close).isBlank()) {
                        throw new SqlService.SqlError("001003", "42000", "SQL compilation error:\nidentifier(?) is not closed");
                    }
                    out.setLength(open.start());
                    out.append(value.asText());
                    i = close;
                    continue;
                }
                String type = b.path("type").asText("TEXT").toUpperCase(Locale.ROOT);
                if (value.isNull() || value.isMissingNode()) {
                    out.append("NULL");
                } else if (type.equals("FIXED") || type.equals("REAL") || type.equals("BOOLEAN")) {
                    out.append(value.asText());
                } else {
                    out.append('\'').append(value.asText().replace("'", "''")).append('\'');
                }
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    static long statementType(String sql) {
        String s = sql.stripLeading();
        int end = 0;
        while (end < s.length() && Character.isLetter(s.charAt(end))) {
            end++;
        }
        switch (s.substring(0, end).toUpperCase(Locale.ROOT)) {
            case "USE":
                return USE_TYPE;
            case "SHOW":
                return SHOW;
            case "DESC":
            case "DESCRIBE":
                return DESCRIBE;
            case "LIST":
            case "LS":
                return LIST;
            case "CREATE":
            case "ALTER":
            case "DROP":
            case "TRUNCATE":
            case "COMMENT":
            case "GRANT":
            case "REVOKE":
                return DDL;
            case "GET":
                return GET_TYPE;
            case "PUT":
                return PUT_TYPE;
            case "REMOVE":
            case "RM":
                return REMOVE;
            default: // SELECT, WITH, COPY FILES (answered as a result set)
                return SELECT;
        }
    }

    private static JsonNode readBody(HttpExchange exchange) throws IOException {
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readAllBytes();
        }
        if (raw.length == 0) {
            return HttpJson.MAPPER.createObjectNode();
        }
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) { // query bodies are gzipped
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = in.readAllBytes();
            }
        }
        return HttpJson.MAPPER.readTree(raw);
    }
}
