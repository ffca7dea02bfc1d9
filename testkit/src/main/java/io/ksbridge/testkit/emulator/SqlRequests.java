package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * The SQL API's request-level behaviour beside what one statement does: {@code MULTI_STATEMENT_COUNT} (exact or
 * {@code 0}; a mismatch is 422 {@code 000008}), multi-statement requests answered with child
 * {@code statementHandles}, a lone {@code BEGIN}/{@code COMMIT}/{@code ROLLBACK} refused (422 {@code 391911}),
 * bindings refused in a multi-statement request, result partitions ({@code ?partition=N}, gzip-encoded, 400
 * {@code 391922} out of range), and the {@link ChangeStore.StatementFaults} aimed at statements. Each request is
 * its own session: nothing (transaction, variable, temporary table) outlives it. Thread-safe.
 */
final class SqlRequests {
    private static final Pattern DDL = Pattern.compile("\\s*(CREATE|DROP|ALTER)\\b.*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TCL = Pattern.compile("\\s*(BEGIN|START\\s+TRANSACTION|COMMIT|ROLLBACK)(\\s+(WORK|TRANSACTION))?\\s*;?\\s*",
            Pattern.CASE_INSENSITIVE);

    private final SqlService service;
    private final ChangeStore store;
    private final Map<String, ObjectNode> results;
    /** Partitioned results kept for their GETs: the newest {@value #KEPT_PARTITIONED} (a page is read right away). */
    private static final int KEPT_PARTITIONED = 64;
    private final Map<String, List<List<List<String>>>> partitions = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<List<List<String>>>> eldest) {
                    return size() > KEPT_PARTITIONED;
                }
            });
    private final Map<String, Integer> slowPolls = new ConcurrentHashMap<>();

    SqlRequests(SqlService service, ChangeStore store, Map<String, ObjectNode> results) {
        this.service = service;
        this.store = store;
        this.results = results;
    }

    /** Splits a result's rows into partitions, describing each in {@code info}; answers partition 0. */
    List<List<String>> partition(String handle, List<List<String>> rows, ArrayNode info) {
        int size = store.partitionRows();
        List<List<List<String>>> parts = new ArrayList<>();
        for (int from = 0; from < rows.size() || parts.isEmpty(); from += size) {
            List<List<String>> part = rows.subList(from, Math.min(rows.size(), from + size));
            parts.add(part);
            info.addObject().put("rowCount", part.size()).put("uncompressedSize", part.toString().length());
        }
        if (parts.size() > 1) {
            partitions.put(handle, parts);
        }
        return parts.get(0);
    }

    /** Answers {@code GET ...?partition=N} and the polls of a slow statement; false when the caller should answer. */
    boolean answerGet(HttpExchange exchange, String handle) throws IOException {
        Integer slow = slowPolls.get(handle);
        if (slow != null && slow > 0) {
            slowPolls.put(handle, slow - 1);
            HttpJson.send(exchange, 202, accepted(handle));
            return true;
        }
        String p = HttpJson.query(exchange).get("partition");
        if (p == null) {
            return false;
        }
        if (!results.containsKey(handle)) {
            return false;
        }
        List<List<List<String>>> parts = partitions.get(handle);
        int n;
        try {
            n = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            n = -1;
        }
        int described = results.get(handle).path("resultSetMetaData").path("partitionInfo").size();
        if (parts == null && described > 1) {
            HttpJson.send(exchange, 404, error("000709", "The result of statement " + handle + " is no longer kept by the emulator"
                    + " (it keeps the newest " + KEPT_PARTITIONED + " results of several partitions).", handle));
            return true;
        }
        int count = parts == null ? 1 : parts.size();
        if (n < 0 || n >= count) {
            HttpJson.send(exchange, 400, error("391922", "Partition number " + p + " is out of range [0, " + (count - 1) + "].", handle));
            return true;
        }
        List<List<String>> rows = parts == null ? List.of() : parts.get(n);
        if (parts == null) { // one partition: it is the inline data
            rows = new ArrayList<>();
            for (JsonNode r : results.get(handle).path("data")) {
                List<String> row = new ArrayList<>();
                r.forEach(v -> row.add(v.isNull() ? null : v.asText()));
                rows.add(row);
            }
        }
        ObjectNode body = HttpJson.MAPPER.createObjectNode();
        ArrayNode data = body.putArray("data");
        for (List<String> row : rows) {
            ArrayNode r = data.addArray();
            row.forEach(r::add);
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(buffer)) {
            gzip.write(HttpJson.MAPPER.writeValueAsBytes(body));
        }
        byte[] bytes = buffer.toByteArray();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return true;
    }

    /**
     * Answers a POST that needs more than one statement's plain run (several statements, a refused request, a fault);
     * false when the caller should run it as usual.
     */
    boolean answerPost(HttpExchange exchange, JsonNode request, Map<String, String> query, String handle) throws IOException {
        String sql = request.path("statement").asText("");
        List<String> statements = new ArrayList<>();
        for (String s : splitStatements(sql)) {
            if (!s.isBlank()) {
                statements.add(s);
            }
        }
        String expected = request.path("parameters").path("MULTI_STATEMENT_COUNT").asText("1");
        if (!"0".equals(expected) && !expected.equals(Integer.toString(Math.max(1, statements.size())))) {
            HttpJson.send(exchange, 422, error("000008", "Actual statement count " + statements.size()
                    + " did not match the desired statement count " + expected + ".", handle));
            return true;
        }
        if (statements.size() == 1 && TCL.matcher(statements.get(0)).matches()) {
            String command = statements.get(0).trim().toUpperCase(Locale.ROOT).startsWith("COMMIT") ? "TRANSACTION_COMMIT"
                    : statements.get(0).trim().toUpperCase(Locale.ROOT).startsWith("ROLLBACK") ? "TRANSACTION_ROLLBACK" : "TRANSACTION_BEGIN";
            HttpJson.send(exchange, 422, error("391911", "Command not supported by SQL API: " + command, handle));
            return true;
        }
        if (statements.size() > 1 && request.hasNonNull("bindings") && request.get("bindings").size() > 0) {
            HttpJson.send(exchange, 422, error("391919", "Bind variables are not supported in multi-statement requests.",
                    handle));
            return true;
        }
        ChangeStore.StatementFaults.Kind fault = store.faults().decide(sql);
        if (fault == ChangeStore.StatementFaults.Kind.FAIL_503) {
            HttpJson.send(exchange, 503, HttpJson.error("503", "Service Unavailable (emulator fault)"));
            return true;
        }
        if (statements.size() <= 1 && fault == null) {
            return false;
        }
        String db = SqlService.text(request, "database");
        String sc = SqlService.text(request, "schema");
        String role = SqlService.text(request, "role");
        ObjectNode answer;
        int status = 200;
        if (statements.size() > 1) {
            answer = multi(statements, db, sc, role, handle);
            status = answer.path("__status").asInt(200);
        } else {
            try {
                answer = service.resultSet(handle, service.execute(sql, db, sc, role));
            } catch (SqlService.SqlError e) {
                answer = error(e.code, e.getMessage(), handle).put("sqlState", e.sqlState);
                status = 422;
            }
        }
        answer.put("__status", status);
        results.put(handle, answer);
        String requestId = query.get("requestId");
        if (requestId != null && fault != ChangeStore.StatementFaults.Kind.DROP_RESPONSE_FORGET) {
            results.put("request:" + requestId, answer);
        }
        if (fault == ChangeStore.StatementFaults.Kind.DROP_RESPONSE || fault == ChangeStore.StatementFaults.Kind.DROP_RESPONSE_FORGET) {
            exchange.close(); // done and committed, but the client never hears of it
            return true;
        }
        if (fault == ChangeStore.StatementFaults.Kind.SLOW_202 || "true".equals(query.get("async"))) {
            slowPolls.put(handle, fault == ChangeStore.StatementFaults.Kind.SLOW_202 ? 1 : 0);
            HttpJson.send(exchange, 202, accepted(handle));
            return true;
        }
        ObjectNode copy = answer.deepCopy();
        copy.remove("__status");
        HttpJson.send(exchange, status, copy);
        return true;
    }

    /** Runs the statements of one request in order; stops at the first that fails and answers its error. */
    private ObjectNode multi(List<String> statements, String db, String sc, String role, String handle) {
        try {
            return multiInSession(statements, db, sc, role, handle);
        } finally {
            RequestTransaction.rollback(); // the request's session ends: a transaction still open records nothing
        }
    }

    private ObjectNode multiInSession(List<String> statements, String db, String sc, String role, String handle) {
        ArrayNode handles = HttpJson.MAPPER.createArrayNode();
        for (String statement : statements) {
            String child = UUID.randomUUID().toString();
            handles.add(child);
            ObjectNode answer;
            Matcher tcl = TCL.matcher(statement);
            if (tcl.matches()) {
                String verb = tcl.group(1).toUpperCase(Locale.ROOT);
                if (verb.equals("COMMIT")) {
                    RequestTransaction.commit();
                } else if (verb.equals("ROLLBACK")) {
                    RequestTransaction.rollback();
                } else {
                    RequestTransaction.begin();
                }
                answer = service.resultSet(child, SqlService.Result.status("Statement executed successfully."));
            } else {
                if (RequestTransaction.current() != null && DDL.matcher(statement).matches()) {
                    RequestTransaction.commit(); // DDL (a CTAS too) commits the open transaction, then runs on its own
                }
                try {
                    answer = service.resultSet(child, service.execute(statement, db, sc, role));
                } catch (SqlService.SqlError e) {
                    ObjectNode failed = error(e.code, e.getMessage(), child).put("sqlState", e.sqlState);
                    failed.put("__status", 422);
                    results.put(child, failed);
                    ObjectNode parent = error(e.code, e.getMessage(), handle).put("sqlState", e.sqlState);
                    parent.set("statementHandles", handles);
                    parent.put("__status", 422);
                    return parent;
                }
            }
            answer.put("__status", 200);
            results.put(child, answer);
        }
        ObjectNode parent = service.resultSet(handle, new SqlService.Result("multiple statement execution")
                .row("Multiple statements executed successfully."));
        parent.set("statementHandles", handles);
        return parent;
    }

    private static ObjectNode accepted(String handle) {
        ObjectNode accepted = HttpJson.MAPPER.createObjectNode();
        accepted.put("code", "333334");
        accepted.put("message", "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.");
        accepted.put("statementHandle", handle);
        accepted.put("statementStatusUrl", SqlService.PREFIX + "/" + handle);
        return accepted;
    }

    private static ObjectNode error(String code, String message, String handle) {
        ObjectNode body = HttpJson.MAPPER.createObjectNode();
        body.put("code", code);
        body.put("message", message);
        body.put("statementHandle", handle);
        return body;
    }

    /** Splits on the semicolons outside quotes. */
    static List<String> splitStatements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == ';' && !single && !dbl) {
                out.add(cur.toString());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        out.add(cur.toString());
        return out;
    }
}
