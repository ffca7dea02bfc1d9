package io.ksbridge.testkit.streaming;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import net.snowflake.ingest.utils.Cryptor;

/**
 * Reads the rows of one chunk of a BDEC blob the streaming SDK wrote: the chunk is AES-CTR encrypted with a key
 * derived from the key the emulator issued at {@code channels/open} and the blob's path, with the chunk's block
 * offset as the counter; decrypted, it is a Parquet file (gzip'd first for BDEC version 1). Uses the SDK's own
 * {@code Cryptor} and Parquet reader (see {@link ParquetRows}), so this class is only loaded when the SDK is on the class path.
 */
final class BlobReader {
    private static final int BLOCK = 16;

    private BlobReader() {
    }

    /**
     * @param blob        the whole blob file
     * @param blobPath    the path the blob was registered under (the key diversifier)
     * @param key         the base64 encryption key issued for the chunk's key id
     * @param start       the chunk's start offset in the blob
     * @param length      the chunk's length (without padding)
     * @param bdecVersion the blob's BDEC version
     * @return the chunk's column names and rows
     * @throws IOException when the chunk cannot be decrypted or read
     */
    static ParquetRows.Chunk readChunk(byte[] blob, String blobPath, String key, long start, long length, int bdecVersion)
            throws IOException {
        if (start < 0 || length < 0 || start + length > blob.length) {
            throw new IOException("chunk [" + start + ", +" + length + ") lies outside the blob of " + blob.length + " bytes");
        }
        byte[] encrypted = Arrays.copyOfRange(blob, (int) start, (int) (start + length));
        byte[] plain;
        try {
            plain = Cryptor.decrypt(encrypted, key, blobPath, start / BLOCK);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot decrypt the chunk at " + start + " of " + blobPath + ": " + e, e);
        }
        if (bdecVersion == 1) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(plain))) {
                plain = in.readAllBytes();
            }
        }
        return ParquetRows.read(plain);
    }
}
