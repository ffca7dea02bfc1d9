package io.ksbridge.testkit.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for JSON over {@link HttpExchange}, shared by the emulator's services. Thread-safe. */
public final class HttpJson {
    /** The emulator's shared JSON mapper. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private HttpJson() {
    }

    /** Reads the request body as JSON (an empty object for an empty body). */
    public static JsonNode readJson(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            return body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
        }
    }

    /** Sends {@code body} as JSON with {@code status} and closes the exchange. */
    public static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A Snowflake-style error body: {@code {"data":null,"code":..,"message":..,"success":false,"headers":null}}. */
    public static ObjectNode error(String code, String message) {
        ObjectNode node = MAPPER.createObjectNode();
        node.putNull("data");
        node.put("code", code);
        node.put("message", message);
        node.put("success", false);
        node.putNull("headers");
        return node;
    }

    /** The query parameters of the request, decoded; the last value wins. */
    public static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }
}
