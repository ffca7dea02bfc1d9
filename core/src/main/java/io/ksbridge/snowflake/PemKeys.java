package io.ksbridge.snowflake;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads PKCS#8 RSA private keys, plain or encrypted, in PEM or as the bare base64 of the DER (on one line or
 * wrapped). Whether a key is encrypted is decided from its DER (an {@code EncryptedPrivateKeyInfo} or a
 * {@code PrivateKeyInfo}), never from a PEM header line.
 *
 * <p>The JDK decrypts PBES2 with PBKDF2 and AES-128-CBC or AES-256-CBC; every other cipher (DES-EDE3-CBC, as
 * Snowflake's key-pair guide makes, DES, RC2, AES-192, scrypt, PBES1) is decrypted with Bouncy Castle when
 * {@code org.bouncycastle:bcpkix-jdk18on} is present, and named in the message when it is not. Never puts key
 * material or the passphrase in a message.
 */
final class PemKeys {
    /** The Maven coordinates users add for the ciphers the JDK cannot decrypt. */
    static final String BOUNCY_CASTLE_ARTIFACT = "org.bouncycastle:bcpkix-jdk18on";

    private static final String PLAIN = "PRIVATE KEY";
    private static final String ENCRYPTED = "ENCRYPTED PRIVATE KEY";
    private static final String PBES2 = "1.2.840.113549.1.5.13";
    private static final String PBKDF2 = "1.2.840.113549.1.5.12";
    private static final String SCRYPT = "1.3.6.1.4.1.11591.4.11";
    private static final String HMAC_SHA1 = "1.2.840.113549.2.7";
    private static final Map<String, String> PRFS = Map.of(
            HMAC_SHA1, "HmacSHA1", "1.2.840.113549.2.8", "HmacSHA224", "1.2.840.113549.2.9", "HmacSHA256",
            "1.2.840.113549.2.10", "HmacSHA384", "1.2.840.113549.2.11", "HmacSHA512");
    private static final Map<String, String> CIPHERS = Map.of(
            "2.16.840.1.101.3.4.1.2", "AES-128-CBC", "2.16.840.1.101.3.4.1.22", "AES-192-CBC",
            "2.16.840.1.101.3.4.1.42", "AES-256-CBC", "1.2.840.113549.3.7", "DES-EDE3-CBC",
            "1.3.14.3.2.7", "DES-CBC", "1.2.840.113549.3.2", "RC2-CBC");
    /** The PBES1 schemes (PKCS#5 v1 and PKCS#12), by OpenSSL's {@code -v1} names. */
    private static final Map<String, String> PBES1 = Map.ofEntries(
            Map.entry("1.2.840.113549.1.5.1", "PBE-MD2-DES"), Map.entry("1.2.840.113549.1.5.3", "PBE-MD5-DES"),
            Map.entry("1.2.840.113549.1.5.4", "PBE-MD2-RC2-64"), Map.entry("1.2.840.113549.1.5.6", "PBE-MD5-RC2-64"),
            Map.entry("1.2.840.113549.1.5.10", "PBE-SHA1-DES"), Map.entry("1.2.840.113549.1.5.11", "PBE-SHA1-RC2-64"),
            Map.entry("1.2.840.113549.1.12.1.1", "PBE-SHA1-RC4-128"), Map.entry("1.2.840.113549.1.12.1.2", "PBE-SHA1-RC4-40"),
            Map.entry("1.2.840.113549.1.12.1.3", "PBE-SHA1-3DES"), Map.entry("1.2.840.113549.1.12.1.4", "PBE-SHA1-2DES"),
            Map.entry("1.2.840.113549.1.12.1.5", "PBE-SHA1-RC2-128"), Map.entry("1.2.840.113549.1.12.1.6", "PBE-SHA1-RC2-40"));

    private PemKeys() {
    }

    /**
     * A key that cannot be used, with the setting to blame: {@code "privateKey"} or {@code "passphrase"}. The
     * message says what is wrong and never contains key material.
     */
    static final class KeyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final String setting;

        KeyException(String setting, String message) {
            super(message);
            this.setting = setting;
        }

        /** {@code "privateKey"} or {@code "passphrase"}. */
        String setting() {
            return setting;
        }
    }

    /**
     * Decodes a PKCS#8 RSA private key, with Bouncy Castle for the ciphers the JDK cannot decrypt when it is on the
     * class path (or module path).
     *
     * @param text       PEM text ({@code BEGIN PRIVATE KEY} or {@code BEGIN ENCRYPTED PRIVATE KEY}), or the bare
     *                   base64 of the DER, on one line or wrapped
     * @param passphrase the passphrase of an encrypted key, null for a plain one
     * @throws KeyException with a message that names the problem (never the key or the passphrase)
     */
    static PrivateKey decode(String text, String passphrase) {
        return decode(text, passphrase, BouncyCastle.available());
    }

    /** {@link #decode(String, String)}, told whether Bouncy Castle may be used (tests pass false). */
    static PrivateKey decode(String text, String passphrase, boolean bouncyCastle) {
        byte[] der = der(text);
        Der outer;
        try {
            outer = new Der(der, 0, der.length).sequence();
        } catch (IllegalArgumentException e) {
            throw new KeyException("privateKey", "the key is not a PKCS#8 private key (its DER is not an ASN.1 SEQUENCE)");
        }
        try {
            int first = outer.peekTag();
            if (first == Der.INTEGER) {
                outer.skip();
                if (outer.peekTag() == Der.INTEGER) {
                    throw pkcs1();
                }
                return plain(der, passphrase);
            }
            if (first == Der.SEQUENCE) {
                Der algorithm = outer.sequence();
                if (outer.peekTag() != Der.OCTET_STRING) {
                    throw notPkcs8();
                }
                return encrypted(der, Scheme.of(algorithm), passphrase, bouncyCastle);
            }
        } catch (IllegalArgumentException e) {
            if (e instanceof KeyException k) {
                throw k;
            }
        }
        throw notPkcs8();
    }

    private static PrivateKey plain(byte[] der, String passphrase) {
        if (passphrase != null) {
            throw new KeyException("passphrase", "a passphrase was given but the key is not encrypted (a plain PKCS#8"
                    + " PrivateKeyInfo); remove the passphrase");
        }
        return rsa(der, false);
    }

    private static PrivateKey encrypted(byte[] der, Scheme scheme, String passphrase, boolean bouncyCastle) {
        if (passphrase == null) {
            throw new KeyException("passphrase", "the key is encrypted (" + scheme.name + ") but no passphrase was given");
        }
        if (scheme.jdkAlgorithm != null) {
            byte[] plain = null;
            try {
                plain = jdkDecrypt(der, scheme.jdkAlgorithm, passphrase);
            } catch (KeyException e) {
                throw e;
            } catch (GeneralSecurityException | IOException | RuntimeException e) {
                // the JDK could not set the cipher up (not a passphrase problem): Bouncy Castle may
                if (!bouncyCastle) {
                    throw new KeyException("privateKey", "this JDK cannot decrypt a key encrypted with " + scheme.name
                            + " (" + e.getClass().getSimpleName() + "); add " + BOUNCY_CASTLE_ARTIFACT
                            + " to decrypt it with Bouncy Castle");
                }
            }
            if (plain != null) {
                return rsa(plain, true);
            }
        } else if (!bouncyCastle) {
            throw new KeyException("privateKey", "decrypting a key encrypted with " + scheme.name
                    + " needs Bouncy Castle: add " + BOUNCY_CASTLE_ARTIFACT + " (with bcprov-jdk18on, same version) to"
                    + " the class path, or re-encrypt the key with AES: openssl pkcs8 -topk8 -v2 aes256 -in rsa_key.p8"
                    + " -out rsa_key_aes.p8");
        }
        return rsa(BouncyCastle.decrypt(der, scheme, passphrase), true);
    }

    /** Decrypts with the JDK; a wrong passphrase is a {@link KeyException}, a cipher it cannot set up an exception. */
    private static byte[] jdkDecrypt(byte[] der, String algorithm, String passphrase) throws GeneralSecurityException,
            IOException {
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
        AlgorithmParameters parameters = info.getAlgParameters();
        PBEKeySpec spec = new PBEKeySpec(passphrase.toCharArray());
        SecretKey key;
        try {
            key = SecretKeyFactory.getInstance(algorithm).generateSecret(spec);
        } finally {
            spec.clearPassword();
        }
        Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.DECRYPT_MODE, key, parameters);
        try {
            // a bad padding, or plaintext that is no PKCS#8: the key and cipher are known, so the passphrase is wrong
            return info.getKeySpec(cipher).getEncoded();
        } catch (InvalidKeySpecException e) {
            throw wrongPassphrase();
        }
    }

    static KeyException wrongPassphrase() {
        return new KeyException("passphrase", "the passphrase does not decrypt this key");
    }

    private static PrivateKey rsa(byte[] pkcs8, boolean decrypted) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (InvalidKeySpecException e) {
            if (decrypted && !looksLikePrivateKeyInfo(pkcs8)) {
                throw wrongPassphrase(); // the cipher produced garbage that happened to have a valid padding
            }
            throw new KeyException("privateKey", "the key is a PKCS#8 private key but not an RSA one; Snowflake's"
                    + " key-pair authentication needs RSA (openssl genrsa 2048)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available in this JDK", e);
        } finally {
            if (decrypted) {
                Arrays.fill(pkcs8, (byte) 0);
            }
        }
    }

    private static boolean looksLikePrivateKeyInfo(byte[] der) {
        try {
            Der outer = new Der(der, 0, der.length).sequence();
            outer.skip();
            return outer.peekTag() == Der.SEQUENCE;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static KeyException pkcs1() {
        return new KeyException("privateKey", "the key is in PKCS#1 form (BEGIN RSA PRIVATE KEY); convert it to PKCS#8"
                + " with: openssl pkcs8 -topk8 -inform PEM -in key.pem -out key.p8 -nocrypt");
    }

    private static KeyException notPkcs8() {
        return new KeyException("privateKey", "the key is not a PKCS#8 private key (neither a PrivateKeyInfo nor an"
                + " EncryptedPrivateKeyInfo)");
    }

    /** The DER of PEM text or of a bare base64 body. */
    private static byte[] der(String text) {
        String t = text.strip();
        String body = t;
        int begin = t.indexOf("-----BEGIN ");
        if (begin >= 0) {
            int labelEnd = t.indexOf("-----", begin + 11);
            if (labelEnd < 0) {
                throw new KeyException("privateKey", "the key is not valid PEM (its BEGIN line is not closed)");
            }
            String label = t.substring(begin + 11, labelEnd);
            if (label.equals("RSA PRIVATE KEY")) {
                throw pkcs1();
            }
            if (label.endsWith("PUBLIC KEY")) {
                throw new KeyException("privateKey", "the PEM holds a public key (BEGIN " + label + "); give the private"
                        + " key, PKCS#8 (BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)");
            }
            if (!label.equals(PLAIN) && !label.equals(ENCRYPTED)) {
                throw new KeyException("privateKey", "the PEM holds a " + label + ", not a PKCS#8 private key (BEGIN "
                        + PLAIN + " or BEGIN " + ENCRYPTED + ")");
            }
            int end = t.indexOf("-----END ", labelEnd);
            if (end < 0) {
                throw new KeyException("privateKey", "the key is not valid PEM (no END line)");
            }
            body = t.substring(labelEnd + 5, end);
        }
        String compact = body.replaceAll("\\s", "");
        if (compact.isEmpty()) {
            throw new KeyException("privateKey", "the key is empty");
        }
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            throw new KeyException("privateKey", "the key is neither PEM nor the base64 of a PKCS#8 key (not valid base64)");
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

    /**
     * An encryption scheme read from an {@code EncryptedPrivateKeyInfo}'s algorithm: its name for messages
     * ({@code PBES2 (PBKDF2 with HMAC-SHA256, DES-EDE3-CBC)}, {@code PBES1 (PBE-SHA1-3DES)}), the JDK's name
     * for it when the JDK can decrypt it, and whether every part of it is one OpenSSL makes (then a failure to
     * decrypt is the passphrase's; otherwise it may be the cipher's).
     */
    record Scheme(String name, String jdkAlgorithm, boolean known) {
        static Scheme of(Der algorithm) {
            String oid = algorithm.oid();
            if (PBES1.containsKey(oid)) {
                return new Scheme("PBES1 (" + PBES1.get(oid) + ")", null, true);
            }
            if (!oid.equals(PBES2)) {
                return new Scheme("an unknown scheme (OID " + oid + ")", null, false);
            }
            Der parameters = algorithm.sequence();
            Der kdf = parameters.sequence();
            String kdfOid = kdf.oid();
            String kdfName;
            String prf = null;
            if (kdfOid.equals(PBKDF2)) {
                Der p = kdf.sequence();
                p.skip(); // salt
                p.skip(); // iteration count
                if (p.hasMore() && p.peekTag() == Der.INTEGER) {
                    p.skip(); // key length
                }
                String prfOid = p.hasMore() && p.peekTag() == Der.SEQUENCE ? p.sequence().oid() : HMAC_SHA1;
                prf = PRFS.get(prfOid);
                kdfName = "PBKDF2 with " + (prf == null ? "PRF " + prfOid : prf.substring(4).replace("SHA", "HMAC-SHA"));
            } else if (kdfOid.equals(SCRYPT)) {
                kdfName = "scrypt";
            } else {
                kdfName = "key derivation " + kdfOid;
            }
            String cipherOid = parameters.sequence().oid();
            String cipher = CIPHERS.getOrDefault(cipherOid, "cipher " + cipherOid);
            String jdk = null;
            if (prf != null && (cipher.equals("AES-128-CBC") || cipher.equals("AES-256-CBC"))) {
                jdk = "PBEWith" + prf + "AndAES_" + cipher.substring(4, 7);
            }
            boolean known = (prf != null || kdfOid.equals(SCRYPT)) && CIPHERS.containsKey(cipherOid);
            return new Scheme("PBES2 (" + kdfName + ", " + cipher + ")", jdk, known);
        }
    }

    /** Just enough DER reading to tell the key forms apart and name their ciphers. Throws IllegalArgumentException. */
    static final class Der {
        static final int INTEGER = 0x02;
        static final int OCTET_STRING = 0x04;
        static final int OID = 0x06;
        static final int SEQUENCE = 0x30;

        private final byte[] b;
        private int pos;
        private final int end;

        Der(byte[] b, int start, int end) {
            this.b = b;
            this.pos = start;
            this.end = end;
        }

        boolean hasMore() {
            return pos < end;
        }

        int peekTag() {
            if (pos >= end) {
                throw new IllegalArgumentException("DER ends early");
            }
            return b[pos] & 0xff;
        }

        /** Reads one element of the given tag and returns a reader over its contents. */
        private Der element(int tag) {
            if (peekTag() != tag) {
                throw new IllegalArgumentException("DER tag " + peekTag() + " where " + tag + " was expected");
            }
            int p = pos + 1;
            if (p >= end) {
                throw new IllegalArgumentException("DER ends early");
            }
            int first = b[p++] & 0xff;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int n = first & 0x7f;
                if (n == 0 || n > 4 || p + n > end) {
                    throw new IllegalArgumentException("DER length not supported");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = (length << 8) | (b[p++] & 0xff);
                }
            }
            if (p + length > end) {
                throw new IllegalArgumentException("DER element longer than its container");
            }
            pos = (int) (p + length);
            return new Der(b, p, pos);
        }

        Der sequence() {
            return element(SEQUENCE);
        }

        void skip() {
            element(peekTag());
        }

        String oid() {
            Der o = element(OID);
            if (!o.hasMore()) {
                throw new IllegalArgumentException("empty OID");
            }
            StringBuilder s = new StringBuilder();
            long value = 0;
            boolean first = true;
            for (int i = o.pos; i < o.end; i++) {
                value = (value << 7) | (o.b[i] & 0x7f);
                if ((o.b[i] & 0x80) == 0) {
                    if (first) {
                        long a = Math.min(value / 40, 2);
                        s.append(a).append('.').append(value - 40 * a);
                        first = false;
                    } else {
                        s.append('.').append(value);
                    }
                    value = 0;
                }
            }
            return s.toString().toLowerCase(Locale.ROOT);
        }
    }
}
