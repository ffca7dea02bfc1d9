package io.ksbridge.testkit.streaminghp;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.ZstdInputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The S3 bucket the high-performance SDK uploads its files to in file mode, on the emulator's own port (path style,
 * as aws-sdk-rust addresses an IP endpoint given by {@code AWS_ENDPOINT_URL}), and the reading of the fragments the SDK
 * then registers: AES-256-CTR with the pipe key from pipe info and each fragment's IV, then zstd, then NDJSON.
 * Thread-safe.
 */
final class FileStage implements HttpHandler {
    /** The bucket pipe info names. */
    static final String BUCKET = "ksbridge-emulator";
    /** The region pipe info names when file mode is served. */
    static final String REGION = "us-west-2";

    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<Integer, byte[]> keys = new ConcurrentHashMap<>();
    private volatile boolean enabled;

    void enabled(boolean on) {
        this.enabled = on;
    }

    void key(int id, byte[] key) {
        keys.put(id, key.clone());
    }

    Map<String, Integer> sizes() {
        Map<String, Integer> out = new TreeMap<>();
        files.forEach((k, v) -> out.put(k, v.length));
        return out;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (!enabled || !exchange.getRequestMethod().equals("PUT")) {
            exchange.sendResponseHeaders(403, -1);
            exchange.close();
            return;
        }
        String key = exchange.getRequestURI().getPath().substring(1);
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        boolean chunked = encoding != null && encoding.contains("aws-chunked")
                || exchange.getRequestHeaders().getFirst("x-amz-decoded-content-length") != null;
        byte[] content = chunked ? unchunk(body) : body;
        files.put(key, content);
        try {
            String etag = "\"" + String.format("%032x", new BigInteger(1, MessageDigest.getInstance("MD5").digest(content)))
                    + "\"";
            exchange.getResponseHeaders().set("ETag", etag);
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    }

    /** Decodes aws-chunked framing: {@code <hex size>[;ext]\r\n<data>\r\n} ... {@code 0\r\n<trailers>\r\n}. */
    static byte[] unchunk(byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length);
        int i = 0;
        while (i < body.length) {
            int eol = indexOfCrlf(body, i);
            if (eol < 0) {
                throw new IOException("aws-chunked body without a chunk header at " + i);
            }
            String header = new String(body, i, eol - i, StandardCharsets.US_ASCII);
            int semi = header.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? header : header.substring(0, semi)).trim(), 16);
            i = eol + 2;
            if (size == 0) {
                break; // trailers follow (checksums), not content
            }
            out.write(body, i, size);
            i += size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The NDJSON a registered fragment holds.
     *
     * @throws IOException when its file was not uploaded, its key is unknown, or it does not decrypt and decompress
     */
    byte[] fragment(JsonNode fragment) throws IOException {
        String path = fragment.path("file_path").asText();
        byte[] file = files.get(path);
        if (file == null) {
            throw new IOException("file " + path + " was not uploaded; uploaded: " + files.keySet());
        }
        byte[] key = keys.get(fragment.path("master_key_id").asInt(-1));
        if (key == null) {
            key = keys.get(Integer.parseInt(fragment.path("master_key_id").asText("-1")));
        }
        if (key == null) {
            throw new IOException("unknown master_key_id " + fragment.path("master_key_id"));
        }
        int start = fragment.path("fragment_start_byte_offset").asInt();
        int length = fragment.path("fragment_length_bytes").asInt();
        if (start < 0 || length < 0 || start + length > file.length) {
            throw new IOException("fragment " + start + "+" + length + " outside file " + path + " of " + file.length + " bytes");
        }
        byte[] slice = Arrays.copyOfRange(file, start, start + length);
        byte[] iv = Base64.getDecoder().decode(fragment.path("iv_base64").asText());
        try {
            return unzstd(decrypt(key, iv, slice, 0));
        } catch (IOException first) {
            // a fragment encrypted as part of one stream over the whole file: the counter is at its offset
            try {
                return unzstd(decrypt(key, iv, slice, start));
            } catch (IOException second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    private static byte[] decrypt(byte[] key, byte[] iv, byte[] data, long streamOffset) throws IOException {
        try {
            byte[] counter = new BigInteger(1, iv).add(BigInteger.valueOf(streamOffset / 16)).toByteArray();
            byte[] block = new byte[16];
            int n = Math.min(16, counter.length);
            System.arraycopy(counter, counter.length - n, block, 16 - n, n);
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(block));
            int skip = (int) (streamOffset % 16);
            if (skip > 0) {
                aes.update(new byte[skip]);
            }
            return aes.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt: " + e, e);
        }
    }

    private static byte[] unzstd(byte[] data) throws IOException {
        try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }
}
