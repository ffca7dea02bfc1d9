package io.ksbridge.ingest.streaming;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ksbridge.IngestException;
import io.ksbridge.Secret;
import io.ksbridge.snowflake.SnowflakeAccount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import net.snowflake.ingest.utils.ErrorCode;
import net.snowflake.ingest.utils.SFException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Errors are classified by type (the SDK's code, I/O underneath, anything else fatal), not by their text. */
class SdkErrorsTest {
    private static final SnowflakeAccount ACCOUNT = SnowflakeAccount.builder().url("http://127.0.0.1:8085").allowInsecureHttp()
            .user("loader").role("INGEST").privateKey(Secret.of(StreamingBackendBuilderTest.PEM)).build();

    private static IngestException classify(Throwable e) {
        return SdkErrors.classify("writing batch B", e, ACCOUNT);
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"REGISTER_BLOB_FAILURE", "OPEN_CHANNEL_FAILURE", "INVALID_CHANNEL",
            "CLOSED_CHANNEL", "CHANNEL_STATUS_FAILURE", "CHANNELS_WITH_UNCOMMITTED_ROWS", "BLOB_UPLOAD_FAILURE",
            "IO_ERROR"})
    void transientSdkCodes_retriable(ErrorCode code) {
        IngestException e = classify(new SFException(code, "503 Service Unavailable", "x"));
        assertTrue(e.isRetriable(), e.getMessage());
        assertTrue(e.getMessage().startsWith("writing batch B: "), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = ErrorCode.class, names = {"INVALID_URL", "INVALID_CONFIG_PARAMETER", "MISSING_CONFIG",
            "UNSUPPORTED_DATA_TYPE", "CLIENT_DEPLOYMENT_ID_MISMATCH"})
    void otherSdkCodes_fatalNamingTheCode(ErrorCode code) {
        IngestException e = classify(new SFException(code, "p", "q", "r"));
        assertFalse(e.isRetriable(), e.getMessage());
        assertTrue(e.getMessage().contains("SDK error " + code.name()), e.getMessage());
    }

    @Test
    void keyProblems_fatalSayingToCheckTheKey() {
        IngestException e = classify(new SFException(ErrorCode.INVALID_ENCRYPTED_KEY));
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("check the key and its passphrase"), e.getMessage());
    }

    @Test
    void serverRefusedTheJwt_fatalWithTheKeysFingerprint_evenUnderATransientCode() {
        IngestException e = classify(new SFException(ErrorCode.OPEN_CHANNEL_FAILURE, "HTTP 401: JWT token is invalid"));
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains(ACCOUNT.publicKeyFingerprint()) && e.getMessage().contains("DESC USER LOADER"),
                e.getMessage());
    }

    @Test
    void ioUnderneath_retriable() {
        assertTrue(classify(new UncheckedIOException(new SocketTimeoutException("read timed out"))).isRetriable());
        assertTrue(classify(new RuntimeException("wrapped", new IOException("connection reset"))).isRetriable());
    }

    @Test
    void unknownException_fatal_evenWhenItsTextLooksTransient() {
        IngestException e = classify(new IllegalStateException("503 temporarily unavailable, please retry"));
        assertFalse(e.isRetriable(), "classified by type, not by what the text says");
        assertTrue(e.getMessage().contains("unexpected java.lang.IllegalStateException"), e.getMessage());
    }

    @Test
    void ingestException_passedThroughAsIs() {
        IngestException given = new IngestException("already classified", true);
        assertSame(given, classify(given));
    }
}
