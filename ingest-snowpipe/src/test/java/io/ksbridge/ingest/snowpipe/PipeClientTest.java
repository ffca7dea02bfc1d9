package io.ksbridge.ingest.snowpipe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.KeyPairGenerator;
import java.util.Base64;
import net.snowflake.ingest.utils.BackOffException;
import org.junit.jupiter.api.Test;

/** Snowpipe REST failures classified by type: throttling, HTTP status, I/O retried; anything else fatal. */
class PipeClientTest {
    private static PipeClient client() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(g.generateKeyPair()
                .getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        SnowflakeAccount account = SnowflakeAccount.builder().url("http://127.0.0.1:1").allowInsecureHttp().user("loader")
                .privateKey(Secret.of(pem)).build();
        return new PipeClient(account, "DB.PUBLIC.P");
    }

    @Test
    void classify_byType() throws Exception {
        try (PipeClient pipe = client()) {
            assertTrue(pipe.classify("insertFiles", new BackOffException()).isRetriable());
            assertTrue(pipe.classify("insertFiles", new SocketTimeoutException("read timed out")).isRetriable());
            assertTrue(pipe.classify("insertFiles", new RuntimeException(new IOException("reset"))).isRetriable());

            IngestException unknown = pipe.classify("insertFiles", new IllegalStateException("503, please retry"));
            assertFalse(unknown.isRetriable(), "an unexpected type is fatal whatever its text says");
            assertTrue(unknown.getMessage().contains("failed unexpectedly (java.lang.IllegalStateException: 503, please"
                    + " retry); not retried") && unknown.getMessage().contains("DB.PUBLIC.P"), unknown.getMessage());
        }
    }
}
