package io.ksbridge.chaos;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/**
 * Encrypted PKCS#8 PEM ({@code BEGIN ENCRYPTED PRIVATE KEY}, PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, what
 * {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} writes), made with the JDK alone. Thread-safe (stateless).
 */
public final class EncryptedKeys {
    private static final String ALGORITHM = "PBEWithHmacSHA256AndAES_256";
    private static final int ITERATIONS = 10_000;

    private EncryptedKeys() {
    }

    /**
     * Encrypts a private key under a passphrase.
     *
     * @param key        the key, never null
     * @param passphrase the passphrase, never null or empty
     * @return the PEM text, never null
     * @throws IllegalStateException if the JDK lacks PBES2 (it does not since JDK 8)
     */
    public static String encryptedPem(PrivateKey key, String passphrase) {
        return encryptedPem(key, passphrase, ITERATIONS);
    }

    /**
     * As {@link #encryptedPem(PrivateKey, String)} with {@code iterations} PBKDF2 rounds (openssl's default is 2,048):
     * decrypting costs in proportion, which a test that decrypts thousands of times cares about.
     *
     * @param iterations at least 1
     */
    public static String encryptedPem(PrivateKey key, String passphrase, int iterations) {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be at least 1: " + iterations);
        }
        Objects.requireNonNull(key, "key must not be null");
        Objects.requireNonNull(passphrase, "passphrase must not be null");
        if (passphrase.isEmpty()) {
            throw new IllegalArgumentException("passphrase must not be empty");
        }
        try {
            SecureRandom random = new SecureRandom();
            byte[] salt = new byte[16];
            byte[] iv = new byte[16];
            random.nextBytes(salt);
            random.nextBytes(iv);
            SecretKey secret = SecretKeyFactory.getInstance(ALGORITHM).generateSecret(new PBEKeySpec(passphrase.toCharArray()));
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, secret, new PBEParameterSpec(salt, iterations, new IvParameterSpec(iv)));
            byte[] encrypted = cipher.doFinal(key.getEncoded());
            // JDK 17's EncryptedPrivateKeyInfo cannot map the cipher's own parameter name to an OID; as PBES2 it can
            AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
            pbes2.init(cipher.getParameters().getEncoded());
            byte[] der = new EncryptedPrivateKeyInfo(pbes2, encrypted).getEncoded();
            return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot encrypt the private key (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The base64 body of PEM text (between the BEGIN and END lines), without line breaks. */
    public static String base64Body(String pem) {
        Objects.requireNonNull(pem, "pem must not be null");
        int start = pem.indexOf('\n');
        int end = pem.indexOf("-----END");
        if (!pem.startsWith("-----BEGIN") || start < 0 || end < start) {
            throw new IllegalArgumentException("not PEM text");
        }
        return pem.substring(start + 1, end).replaceAll("\\s", "");
    }
}
