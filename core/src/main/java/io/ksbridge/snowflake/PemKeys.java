package io.ksbridge.snowflake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/** Reads PKCS#8 PEM private keys (plain or encrypted) with the JDK alone. Never puts key material in messages. */
final class PemKeys {
    private static final String PLAIN = "PRIVATE KEY";
    private static final String ENCRYPTED = "ENCRYPTED PRIVATE KEY";

    private PemKeys() {
    }

    /** True when the PEM holds an encrypted PKCS#8 key. */
    static boolean isEncrypted(String pem) {
        return pem.contains("-----BEGIN " + ENCRYPTED + "-----");
    }

    /**
     * Decodes a PKCS#8 RSA private key.
     *
     * @param pem        PEM text ({@code BEGIN PRIVATE KEY} or {@code BEGIN ENCRYPTED PRIVATE KEY}), or the bare
     *                   base64 of a PKCS#8 DER key
     * @param passphrase the passphrase of an encrypted key, null for a plain one
     * @throws IllegalArgumentException with a message that names the problem (never the key)
     */
    static PrivateKey decode(String pem, String passphrase) {
        String text = pem.trim();
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new IllegalArgumentException("the key is in PKCS#1 form (BEGIN RSA PRIVATE KEY); convert it to PKCS#8"
                    + " with: openssl pkcs8 -topk8 -inform PEM -in key.pem -out key.p8 -nocrypt");
        }
        boolean encrypted = isEncrypted(text);
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(body(text));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key is not valid PEM or base64 PKCS#8");
        }
        try {
            PKCS8EncodedKeySpec spec;
            if (encrypted) {
                if (passphrase == null) {
                    throw new IllegalArgumentException("the key is encrypted (BEGIN ENCRYPTED PRIVATE KEY) but no passphrase"
                            + " was given; set passphrase(Secret)");
                }
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                String algorithm = info.getAlgName();
                if ("PBES2".equalsIgnoreCase(algorithm) || algorithm.startsWith("1.2.840.113549.1.5.13")) {
                    // JDK 17 names PBES2 keys by their parameters, e.g. PBEWithHmacSHA256AndAES_256
                    algorithm = info.getAlgParameters().toString();
                }
                SecretKey key = SecretKeyFactory.getInstance(algorithm).generateSecret(new PBEKeySpec(passphrase.toCharArray()));
                Cipher cipher = Cipher.getInstance(algorithm);
                cipher.init(Cipher.DECRYPT_MODE, key, info.getAlgParameters());
                try {
                    spec = info.getKeySpec(cipher);
                } catch (GeneralSecurityException e) {
                    throw new IllegalArgumentException("the passphrase does not decrypt the private key (wrong passphrase?)");
                }
            } else {
                spec = new PKCS8EncodedKeySpec(der);
            }
            return KeyFactory.getInstance("RSA").generatePrivate(spec);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("the key is not an RSA PKCS#8 private key" + (encrypted ? " or the passphrase is wrong" : "")
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The RSA public key matching a private CRT key (which every PKCS#8 RSA key is). */
    static PublicKey publicKeyOf(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException("the private key must be an RSA key with CRT parameters (PKCS#8 RSA)");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available in this JDK", e);
        }
    }

    /** PEM text of a PKCS#8 private key (unencrypted). */
    static String toPem(PrivateKey key) {
        return "-----BEGIN " + PLAIN + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END " + PLAIN + "-----\n";
    }

    private static String body(String text) {
        if (!text.startsWith("-----BEGIN")) {
            return text;
        }
        int start = text.indexOf('\n');
        int end = text.indexOf("-----END");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("the key is not valid PEM");
        }
        return text.substring(start + 1, end).replaceAll("\\s", "");
    }
}
