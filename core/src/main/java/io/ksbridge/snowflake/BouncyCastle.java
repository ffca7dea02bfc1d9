package io.ksbridge.snowflake;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Bouncy Castle, an optional dependency of core ({@code org.bouncycastle:bcpkix-jdk18on} with bcprov): decrypts the
 * encrypted PKCS#8 keys the JDK cannot (PBES2 with DES-EDE3-CBC, DES, RC2, AES-192 or scrypt; PBES1). Only
 * {@link #available()} may be called when it is absent; the Bouncy Castle classes load on the first
 * {@link #decrypt}. Its provider is used directly, never registered with {@code java.security.Security}.
 */
final class BouncyCastle {
    private static final boolean AVAILABLE = probe();

    private BouncyCastle() {
    }

    /** True when bcpkix and bcprov can be loaded (on the module path: when their modules are resolved). */
    static boolean available() {
        return AVAILABLE;
    }

    private static boolean probe() {
        try {
            ClassLoader loader = BouncyCastle.class.getClassLoader();
            Class.forName("org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder", false, loader);
            Class.forName("org.bouncycastle.jce.provider.BouncyCastleProvider", false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The PKCS#8 {@code PrivateKeyInfo} DER inside an {@code EncryptedPrivateKeyInfo}.
     *
     * @param scheme the key's scheme: its name for messages; a failure is blamed on the passphrase only when the
     *               scheme is a known one
     * @throws PemKeys.KeyException when the passphrase does not decrypt the key, or Bouncy Castle does not know its
     *                              cipher (named)
     */
    static byte[] decrypt(byte[] der, PemKeys.Scheme scheme, String passphrase) {
        return Impl.decrypt(der, scheme, passphrase);
    }

    /** The only class that touches Bouncy Castle's types. */
    private static final class Impl {
        private static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();

        static byte[] decrypt(byte[] der, PemKeys.Scheme scheme, String passphrase) {
            PKCS8EncryptedPrivateKeyInfo info;
            try {
                info = new PKCS8EncryptedPrivateKeyInfo(der);
            } catch (java.io.IOException | RuntimeException e) {
                throw new PemKeys.KeyException("privateKey", "Bouncy Castle cannot read this encrypted key (" + scheme.name()
                        + ", " + e.getClass().getSimpleName() + ")");
            }
            char[] chars = passphrase.toCharArray();
            try {
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(PROVIDER)
                        .build(chars);
                PrivateKeyInfo plain = info.decryptPrivateKeyInfo(decryptor);
                return plain.getEncoded();
            } catch (OperatorCreationException e) {
                throw unsupported(scheme);
            } catch (PKCSException | java.io.IOException | RuntimeException e) {
                if (!scheme.known() || e.getCause() instanceof OperatorCreationException) {
                    throw unsupported(scheme);
                }
                // a known cipher: a bad padding, or plaintext that is no PrivateKeyInfo, means a wrong passphrase
                throw PemKeys.wrongPassphrase();
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        }

        private static PemKeys.KeyException unsupported(PemKeys.Scheme scheme) {
            return new PemKeys.KeyException("privateKey", "Bouncy Castle cannot decrypt a key encrypted with " + scheme.name()
                    + "; re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes256 -in rsa_key.p8 -out rsa_key_aes.p8");
        }
    }
}
