package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snowpipe: pipes that copy staged JSON files (plain, gzip or zstd; a stream of JSON values, one row each) into
 * tables, and the Snowpipe REST API ({@code /v1/data/pipes/{pipe}/insertFiles}, {@code insertReport},
 * {@code loadHistoryScan}) with Snowflake's JSON shapes. Each pipe keeps a load history by file name: a file that loaded is never loaded again, however
 * often it is submitted. A malformed file fails as a whole ({@code ON_ERROR = SKIP_FILE}, Snowpipe's default) with
 * {@code LOAD_FAILED} and its first error, with the line and character where it is. Loads run on a background thread, shortly after submission, unless
 * {@link Faults#holdLoads} holds them.
 */
final class SnowpipeService implements HttpHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnowpipeService.class);
    static final String PREFIX = "/v1/data/pipes/";

    private final TableStore tables;
    private final StageStore stages;
    private final Faults faults;
    private final JwtVerifier jwt;
    private final Map<String, Pipe> pipes = new TreeMap<>();
    /** Files submitted and not loaded (or failed) yet, queued or loading, with their pipe's name; guarded by this. */
    private final Map<FileState, String> inProgress = new java.util.IdentityHashMap<>();
    private final ScheduledExecutorService loader;
    private final java.util.concurrent.ExecutorService workers;

    SnowpipeService(TableStore tables, StageStore stages, Faults faults, JwtVerifier jwt) {
        this.tables = tables;
        this.stages = stages;
        this.faults = faults;
        this.jwt = jwt;
        this.loader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "snowflake-emulator-snowpipe");
            t.setDaemon(true);
            return t;
        });
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "snowflake-emulator-snowpipe-load");
            t.setDaemon(true);
            return t;
        });
        loader.scheduleWithFixedDelay(this::loadPending, 10, 10, TimeUnit.MILLISECONDS);
    }

    /** A pipe's definition: {@code COPY INTO table(columns) FROM (SELECT fields FROM @stage/prefix)}. */
    record Definition(String table, String stage, String stagePrefix, List<String> columns, List<String> fields,
                      String text, boolean allowDuplicate) {
    }

    /** One file in a pipe's load history. */
    static final class FileState {
        final String path;
        final long size;
        final String md5;
        final Instant received;
        String status = "LOAD_IN_PROGRESS";
        Instant lastInsert;
        long rowsParsed;
        long rowsInserted;
        long errorsSeen;
        String firstError;
        Long firstErrorLine;
        Long firstErrorChar;
        long seq;

        FileState(String path, long size, String md5, Instant received) {
            this.path = path;
            this.size = size;
            this.md5 = md5;
            this.received = received;
        }

        boolean complete() {
            return !"LOAD_IN_PROGRESS".equals(status);
        }
    }

    static final class Pipe {
        final String name;
        final Definition definition;
        final Map<String, FileState> history = new LinkedHashMap<>();
        final ArrayDeque<FileState> pending = new ArrayDeque<>();
        final List<FileState> events = new ArrayList<>();
        long seq;

        Pipe(String name, Definition definition) {
            this.name = name;
            this.definition = definition;
        }
    }

    synchronized boolean createPipe(String qualifiedName, Definition definition, boolean ifNotExists, boolean orReplace) {
        String name = TableStore.key(qualifiedName); // resolved parts: what the REST API's pipe names are matched against
        if (pipes.containsKey(name) && !orReplace) {
            if (ifNotExists) {
                return false;
            }
            throw new IllegalArgumentException("Object '" + name + "' already exists.");
        }
        Pipe replaced = pipes.put(name, new Pipe(name, definition));
        if (replaced != null) {
            forgetQueued(replaced);
        }
        return true;
    }

    synchronized Optional<Definition> pipe(String name) {
        Pipe p = pipes.get(TableStore.key(name));
        return p == null ? Optional.empty() : Optional.of(p.definition);
    }

    synchronized boolean dropPipe(String name) {
        Pipe dropped = pipes.remove(TableStore.key(name));
        if (dropped != null) {
            forgetQueued(dropped);
        }
        return dropped != null;
    }

    /** A dropped or replaced pipe's queued files never load; one already loading still finishes (and counts). */
    private void forgetQueued(Pipe pipe) {
        for (FileState f : pipe.pending) {
            inProgress.remove(f);
        }
        pipe.pending.clear();
    }

    /**
     * What the loader still has to do: one line per pipe with files submitted and not loaded yet (queued or loading),
     * naming up to five of them; empty when nothing is pending.
     */
    synchronized List<String> pendingWork() {
        if (inProgress.isEmpty()) {
            return List.of();
        }
        Map<String, List<String>> byPipe = new TreeMap<>();
        for (Map.Entry<FileState, String> e : inProgress.entrySet()) {
            byPipe.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey().path);
        }
        String held = faults.loadsHeld() ? " (loads are held: faults().holdLoads(true))" : "";
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byPipe.entrySet()) {
            List<String> files = e.getValue().stream().sorted().toList();
            out.add("Snowpipe: " + files.size() + " file(s) of pipe " + e.getKey() + " not loaded yet" + held + ": "
                    + String.join(", ", files.subList(0, Math.min(5, files.size()))) + (files.size() > 5 ? ", ..." : ""));
        }
        return out;
    }

    synchronized List<String> pipeNames() {
        return new ArrayList<>(pipes.keySet());
    }

    /** A snapshot of a pipe's load history, in submission order. */
    synchronized List<SnowflakeLoad> history(String name) {
        Pipe pipe = pipes.get(name);
        if (pipe == null) {
            throw new java.util.NoSuchElementException("Pipe '" + name + "' does not exist; pipes: " + pipes.keySet());
        }
        List<SnowflakeLoad> out = new ArrayList<>();
        for (FileState f : pipe.history.values()) {
            out.add(new SnowflakeLoad(f.path, f.status, f.rowsInserted, f.firstError, f.firstErrorLine, f.firstErrorChar));
        }
        return out;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!jwt.authenticate(exchange)) {
            return;
        }
        String rest = exchange.getRequestURI().getRawPath().substring(PREFIX.length());
        int slash = rest.lastIndexOf('/');
        if (slash < 0) {
            HttpJson.send(exchange, 404, HttpJson.error("404", "Not found"));
            return;
        }
        String pipeName;
        try {
            // Snowflake's REST API takes the pipe name case-sensitively ("case-sensitive, fully qualified"): an exact
            // match first, then the SQL resolution (unquoted parts upper case) that clients in the wild rely on
            String given = URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8);
            pipeName = TableStore.key(given);
            synchronized (this) {
                String[] parts = given.split("\\.", -1);
                if (!given.contains("\"") && parts.length == 3) {
                    String exact = Identifiers.requote(parts[0]) + "." + Identifiers.requote(parts[1]) + "."
                            + Identifiers.requote(parts[2]);
                    if (pipes.containsKey(exact)) {
                        pipeName = exact;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            HttpJson.send(exchange, 400, HttpJson.error("390403", "Invalid pipe name: " + e.getMessage()));
            return;
        }
        String op = rest.substring(slash + 1);
        Map<String, String> query = HttpJson.query(exchange);
        JsonNode body = "POST".equals(exchange.getRequestMethod()) ? HttpJson.readJson(exchange) : null;
        ObjectNode answer;
        synchronized (this) {
            Pipe pipe = pipes.get(pipeName);
            if (pipe == null) {
                answer = null;
            } else {
                switch (op) {
                    case "insertFiles":
                        answer = insertFiles(pipe, body, query.get("requestId"));
                        break;
                    case "insertReport":
                        answer = insertReport(pipe, query.get("beginMark"));
                        break;
                    case "loadHistoryScan":
                        answer = loadHistoryScan(pipe, query.get("startTimeInclusive"), query.get("endTimeExclusive"));
                        break;
                    default:
                        HttpJson.send(exchange, 404, HttpJson.error("404", "Unknown Snowpipe operation " + op));
                        return;
                }
            }
        }
        if (answer == null) {
            HttpJson.send(exchange, 404, HttpJson.error("390404", "Specified object does not exist or not authorized. Pipe not"
                    + " found: " + pipeName));
            return;
        }
        HttpJson.send(exchange, 200, answer);
    }

    private ObjectNode insertFiles(Pipe pipe, JsonNode body, String requestId) {
        Instant now = Instant.now();
        for (JsonNode file : body.path("files")) {
            String path = file.path("path").asText();
            FileState known = pipe.history.get(path);
            if (known != null && !"LOAD_FAILED".equals(known.status)) {
                continue; // loaded or loading: Snowpipe ignores a name it has seen
            }
            byte[] bytes = stages.exists(pipe.definition.stage())
                    ? stages.read(pipe.definition.stage(), pipe.definition.stagePrefix() + path) : null;
            String md5 = bytes == null ? "" : StageStore.md5(bytes);
            if (known != null && known.md5.equals(md5)) {
                continue; // a failed file is not retried unless its content changed
            }
            FileState state = new FileState(path, bytes == null ? 0 : bytes.length, md5, now);
            pipe.history.put(path, state);
            pipe.pending.add(state);
            inProgress.put(state, pipe.name);
            event(pipe, state);
        }
        ObjectNode answer = HttpJson.MAPPER.createObjectNode();
        answer.put("requestId", requestId);
        answer.put("responseCode", "SUCCESS");
        return answer;
    }

    private ObjectNode insertReport(Pipe pipe, String beginMark) {
        long mark = 0;
        if (beginMark != null && !beginMark.isEmpty()) {
            try {
                mark = Long.parseLong(beginMark);
            } catch (NumberFormatException e) {
                mark = 0;
            }
        }
        Map<String, FileState> latest = new LinkedHashMap<>();
        long next = mark;
        for (FileState event : pipe.events) {
            if (event.seq > mark) {
                latest.put(event.path, pipe.history.getOrDefault(event.path, event));
                next = Math.max(next, event.seq);
            }
        }
        ObjectNode answer = HttpJson.MAPPER.createObjectNode();
        answer.put("pipe", pipe.name);
        answer.put("completeResult", true);
        answer.put("nextBeginMark", Long.toString(next));
        ArrayNode files = answer.putArray("files");
        int active = 0;
        for (FileState f : latest.values()) {
            files.add(entry(f));
        }
        for (FileState f : pipe.history.values()) {
            if (!f.complete()) {
                active++;
            }
        }
        answer.putObject("statistics").put("activeFilesCount", active);
        return answer;
    }

    private ObjectNode loadHistoryScan(Pipe pipe, String start, String end) {
        Instant from = start == null ? Instant.EPOCH : parseTime(start);
        Instant to = end == null ? Instant.now().plusSeconds(1) : parseTime(end);
        ObjectNode answer = HttpJson.MAPPER.createObjectNode();
        answer.put("pipe", pipe.name);
        answer.put("startTimeInclusive", start);
        answer.put("endTimeExclusive", end);
        answer.put("completeResult", true);
        ArrayNode files = answer.putArray("files");
        Instant first = null;
        Instant last = null;
        for (FileState f : pipe.history.values()) {
            if (f.lastInsert != null && !f.lastInsert.isBefore(from) && f.lastInsert.isBefore(to)) {
                files.add(entry(f));
                first = first == null || f.lastInsert.isBefore(first) ? f.lastInsert : first;
                last = last == null || f.lastInsert.isAfter(last) ? f.lastInsert : last;
            }
        }
        answer.put("rangeStartTime", first == null ? null : format(first));
        answer.put("rangeEndTime", last == null ? null : format(last));
        return answer;
    }

    private ObjectNode entry(FileState f) {
        ObjectNode e = HttpJson.MAPPER.createObjectNode();
        e.put("path", f.path);
        e.put("stageLocation", "stages/" + Integer.toHexString(f.path.hashCode()) + "/");
        e.put("fileSize", f.size);
        e.put("timeReceived", format(f.received));
        if (f.lastInsert != null) {
            e.put("lastInsertTime", format(f.lastInsert));
        }
        e.put("rowsInserted", f.rowsInserted);
        e.put("rowsParsed", f.rowsParsed);
        e.put("errorsSeen", f.errorsSeen);
        e.put("errorLimit", 1);
        if (f.firstError != null) {
            e.put("firstError", f.firstError);
            e.put("firstErrorLineNum", f.firstErrorLine);
            e.put("firstErrorCharacterPos", f.firstErrorChar);
            e.put("systemError", (String) null);
        }
        e.put("complete", f.complete());
        e.put("status", f.status);
        return e;
    }

    private void event(Pipe pipe, FileState state) {
        state.seq = ++pipe.seq;
        pipe.events.add(state);
        if (pipe.events.size() > 100_000) {
            pipe.events.subList(0, 50_000).clear();
        }
    }

    private void loadPending() {
        try {
            if (faults.loadsHeld()) {
                return;
            }
            List<Object[]> work = new ArrayList<>();
            synchronized (this) {
                for (Pipe pipe : pipes.values()) {
                    while (!pipe.pending.isEmpty()) {
                        work.add(new Object[] {pipe, pipe.pending.poll()});
                    }
                }
            }
            List<java.util.concurrent.Future<?>> running = new ArrayList<>();
            for (Object[] w : work) {
                running.add(workers.submit(() -> load((Pipe) w[0], (FileState) w[1])));
            }
            for (java.util.concurrent.Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | java.util.concurrent.ExecutionException e) {
            LOG.warn("emulator loader failed", e);
        }
    }

    private void load(Pipe pipe, FileState state) {
        Definition d = pipe.definition;
        String error = null;
        long errorLine = 0;
        long errorChar = 1;
        long parsed = 0;
        List<Map<String, JsonNode>> rows = new ArrayList<>();
        byte[] raw = stages.exists(d.stage()) ? stages.read(d.stage(), d.stagePrefix() + state.path) : null;
        // A table that only counts rows (benchmarks) gets its values counted as they decompress, not parsed.
        boolean countOnly = tables.find(d.table()).map(t -> !t.retainsRows()).orElse(false);
        if (raw == null) {
            error = "Remote file '" + d.stagePrefix() + state.path + "' was not found. There are several potential causes. The"
                    + " file might not exist. The required credentials may be missing or invalid.";
        } else {
            try {
                if (countOnly) {
                    parsed = countValues(raw);
                } else {
                    byte[] data = decompress(raw);
                    try {
                        // as Snowflake's JSON file format reads a file: a stream of values, see VariantJson
                        EmulatedTable byName = d.columns() == null ? tables.get(d.table()) : null;
                        parsed = VariantJson.readValues(data, d.allowDuplicate(), node -> {
                            if (byName != null) { // MATCH_BY_COLUMN_NAME: a misfit fails the file (SKIP_FILE)
                                rows.add(CopyColumns.row(byName, node));
                                return;
                            }
                            Map<String, JsonNode> row = new HashMap<>();
                            for (int c = 0; c < d.columns().size(); c++) {
                                String field = d.fields().get(c);
                                JsonNode value = field == null ? node : node.get(field);
                                if (value != null) {
                                    row.put(d.columns().get(c), value); // JSON null stays a VARIANT null
                                }
                            }
                            rows.add(row);
                        });
                    } catch (VariantJson.ValueException e) {
                        parsed = rows.size();
                        error = "Error parsing JSON: " + firstLine(e.getMessage());
                        errorLine = Math.max(1, e.line());
                        errorChar = Math.max(1, e.column());
                    } catch (IllegalArgumentException e) { // a MATCH_BY_COLUMN_NAME value that does not fit its column
                        parsed = rows.size();
                        error = e.getMessage();
                        errorLine = rows.size() + 1;
                    }
                }
            } catch (IOException e) {
                error = "Invalid data encountered during decompression for file: '" + state.path + "', compression type"
                        + " used: 'AUTO', cause: '" + e.getMessage() + "'";
                errorLine = 1;
            }
        }
        if (error == null) {
            try {
                EmulatedTable table = tables.get(d.table());
                if (countOnly) {
                    table.count(parsed); // counting only: values are not checked, so malformed data is not caught here
                } else {
                    table.insert(rows);
                }
            } catch (RuntimeException e) {
                error = e.getMessage();
                errorLine = 1;
            }
        }
        synchronized (this) {
            inProgress.remove(state);
            state.lastInsert = Instant.now();
            state.rowsParsed = parsed + (error == null ? 0 : 1);
            if (error == null) {
                state.status = "LOADED";
                state.rowsInserted = parsed;
            } else {
                state.status = "LOAD_FAILED";
                state.errorsSeen = 1;
                state.firstError = error;
                state.firstErrorLine = errorLine;
                state.firstErrorChar = errorChar;
            }
            if (pipes.get(pipe.name) == pipe) {
                event(pipe, state);
            }
        }
    }

    private static byte[] decompress(byte[] raw) throws IOException {
        try (InputStream in = decompressing(raw)) {
            return in.readAllBytes();
        }
    }

    /** The file's bytes, decompressed as Snowflake's {@code COMPRESSION = AUTO} does: gzip and zstd by magic bytes. */
    private static InputStream decompressing(byte[] raw) throws IOException {
        InputStream in = new ByteArrayInputStream(raw);
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            return new GZIPInputStream(in, 65536);
        }
        if (raw.length >= 4 && (raw[0] & 0xff) == 0x28 && (raw[1] & 0xff) == 0xb5 && (raw[2] & 0xff) == 0x2f
                && (raw[3] & 0xff) == 0xfd) {
            return new ZstdInputStream(in);
        }
        return in;
    }

    /**
     * The top-level JSON values of a (compressed) file, counted by structure as it decompresses, without holding it
     * whole or checking it: objects and arrays by their brackets (outside strings), top-level strings and scalars by
     * their start. Values back to back with no separator count one each, as {@link VariantJson#readValues} reads them.
     */
    static long countValues(byte[] raw) throws IOException {
        long values = 0;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean inScalar = false;
        byte[] buf = new byte[1 << 16];
        try (InputStream stream = decompressing(raw)) {
            for (int n = stream.read(buf); n >= 0; n = stream.read(buf)) {
                int i = 0;
                while (i < n) {
                    if (inString) {
                        if (escaped) {
                            escaped = false;
                            i++;
                            continue;
                        }
                        i = nextQuoteOrBackslash(buf, i, n);
                        if (i == n) {
                            break;
                        }
                        if (buf[i++] == '\\') {
                            escaped = true;
                        } else {
                            inString = false;
                        }
                        continue;
                    }
                    if (depth > 0) {
                        // inside a value only strings and brackets matter
                        while (i < n && !NESTED_STOP[buf[i] & 0xFF]) {
                            i++;
                        }
                        if (i == n) {
                            break;
                        }
                    }
                    byte b = buf[i++];
                    switch (b) {
                        case '"':
                            if (depth == 0 && !inScalar) {
                                values++;
                            }
                            inString = true;
                            inScalar = false;
                            break;
                        case '{':
                        case '[':
                            if (depth == 0) {
                                values++;
                            }
                            depth++;
                            inScalar = false;
                            break;
                        case '}':
                        case ']':
                            depth = Math.max(0, depth - 1);
                            inScalar = false;
                            break;
                        case ' ':
                        case '\t':
                        case '\n':
                        case '\r':
                        case ',':
                        case ':':
                            inScalar = false;
                            break;
                        default:
                            if (depth == 0 && !inScalar) {
                                values++;
                                inScalar = true;
                            }
                    }
                }
            }
        }
        return values;
    }

    /** The bytes that end a run of insignificant bytes inside a value (outside strings): quotes and brackets. */
    private static final boolean[] NESTED_STOP = new boolean[256];

    static {
        for (char c : new char[] {'"', '{', '}', '[', ']'}) {
            NESTED_STOP[c] = true;
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /** The index of the first quote or backslash in {@code b[i, n)}, or {@code n}: eight bytes at a time. */
    private static int nextQuoteOrBackslash(byte[] b, int i, int n) {
        while (i + 8 <= n) {
            long x = (long) LONGS.get(b, i);
            long q = x ^ (ONES * '"');
            long s = x ^ (ONES * '\\');
            long marks = (((q - ONES) & ~q) | ((s - ONES) & ~s)) & HIGHS;
            if (marks != 0) {
                return i + (Long.numberOfTrailingZeros(marks) >>> 3); // the lowest mark is exact
            }
            i += 8;
        }
        while (i < n && b[i] != '"' && b[i] != '\\') {
            i++;
        }
        return i;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static String format(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.MILLIS));
    }

    private static Instant parseTime(String s) {
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return java.time.LocalDateTime.parse(s, DateTimeFormatter.ISO_DATE_TIME).toInstant(java.time.ZoneOffset.UTC);
        }
    }

    @Override
    public void close() {
        loader.shutdownNow();
        workers.shutdownNow();
    }
}
