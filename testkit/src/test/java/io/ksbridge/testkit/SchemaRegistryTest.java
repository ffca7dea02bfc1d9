package io.ksbridge.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The in-process registry answers the Confluent REST subset word for word. */
class SchemaRegistryTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private SchemaRegistry registry;

    @BeforeEach
    void start() {
        registry = SchemaRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void registerOverRest_sameSchemaSameId_readBackByIdAndSubject() throws Exception {
        HttpResponse<String> first = post("/subjects/orders-value/versions", "{\"schema\":\"\\\"string\\\"\"}");
        HttpResponse<String> again = post("/subjects/other-value/versions", "{\"schema\":\"\\\"string\\\"\"}");
        int protoId = registry.register("p-value", "PROTOBUF", "CgFh",
                List.of(new SchemaRegistry.Reference("dep.proto", "dep", 1)));

        assertEquals("{\"id\":1}", first.body());
        assertEquals("{\"id\":1}", again.body());
        assertEquals("{\"schema\":\"\\\"string\\\"\"}", get("/schemas/ids/1").body());
        assertEquals("{\"schemaType\":\"PROTOBUF\",\"references\":[{\"name\":\"dep.proto\",\"subject\":\"dep\","
                + "\"version\":1}],\"schema\":\"CgFh\"}", get("/schemas/ids/" + protoId + "?format=serialized").body());
        assertEquals("[\"orders-value\",\"other-value\",\"p-value\"]", get("/subjects").body());
        assertEquals("[1]", get("/subjects/orders-value/versions").body());
        assertEquals("{\"subject\":\"orders-value\",\"version\":1,\"id\":1,\"schema\":\"\\\"string\\\"\"}",
                get("/subjects/orders-value/versions/latest").body());
    }

    @Test
    void newVersionUnderSubject_listedInOrder() throws Exception {
        registry.register("s", "AVRO", "\"int\"");
        registry.register("s", "AVRO", "\"long\"");

        assertEquals("[1,2]", get("/subjects/s/versions").body());
        assertEquals("{\"subject\":\"s\",\"version\":2,\"id\":2,\"schema\":\"\\\"long\\\"\"}",
                get("/subjects/s/versions/2").body());
    }

    @Test
    void unknownIdSubjectVersion_confluentErrorCodes() throws Exception {
        registry.register("s", "AVRO", "\"int\"");

        HttpResponse<String> id = get("/schemas/ids/42");
        assertEquals(404, id.statusCode());
        assertEquals("{\"error_code\":40403,\"message\":\"Schema 42 not found\"}", id.body());
        assertEquals("{\"error_code\":40401,\"message\":\"Subject 'nope' not found.\"}",
                get("/subjects/nope/versions/1").body());
        assertEquals("{\"error_code\":40402,\"message\":\"Version 7 not found.\"}", get("/subjects/s/versions/7").body());
    }

    @Test
    void failWithDownUp_faultsThenRecovery() throws Exception {
        registry.register("s", "AVRO", "\"int\"");
        registry.failWith(503);
        assertEquals(503, get("/schemas/ids/1").statusCode());
        registry.failWith(0).down();
        assertThrows(IOException.class, () -> get("/schemas/ids/1"));
        registry.up();
        assertEquals(200, get("/schemas/ids/1").statusCode());
        assertEquals(2, registry.requestCount(), "the 503 and the 200; the refused connection never reached it");
    }

    @Test
    void requireBasicAuth_withoutCredentials401() throws Exception {
        registry.requireBasicAuth("u", "p");

        assertEquals(401, get("/subjects").statusCode());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(registry.url() + "/subjects"))
                .header("Authorization", "Basic dTpw").build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}
