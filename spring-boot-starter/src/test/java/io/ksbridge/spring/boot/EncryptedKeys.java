package io.ksbridge.spring.boot;

import java.security.AlgorithmParameters;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;

/** Encrypts a private key as {@code openssl pkcs8 -topk8 -v2 aes-256-cbc} would (PBES2), for tests. */
final class EncryptedKeys {
    private EncryptedKeys() {
    }

    static String encryptedPem(PrivateKey key, String passphrase) throws Exception {
        String alg = "PBEWithHmacSHA256AndAES_256";
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance(alg);
        cipher.init(Cipher.ENCRYPT_MODE,
                SecretKeyFactory.getInstance(alg).generateSecret(new PBEKeySpec(passphrase.toCharArray())),
                new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        byte[] encrypted = cipher.doFinal(key.getEncoded());
        // the generic PBES2 name, which EncryptedPrivateKeyInfo can encode (it refuses the specific cipher name)
        AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        byte[] der = new EncryptedPrivateKeyInfo(pbes2, encrypted).getEncoded();
        return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
    }

    /** The base64 body of a PEM, without the BEGIN/END lines and line breaks. */
    static String body(String pem) {
        return pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    }
}
