package io.ksbridge.ingest.snowpipe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes staged files into local folders ({@code LOCAL_FS} stages): to a temporary name, then renamed, so a reader
 * never sees half a file. Thread-safe.
 */
final class LocalStageUploader implements StageUploader {
    private final Map<String, Path> folders = new ConcurrentHashMap<>();
    private volatile Path defaultRoot;

    void register(String stage, Path folder) {
        folders.put(stage, folder);
    }

    void defaultRoot(Path root) {
        this.defaultRoot = root;
    }

    boolean knows(String stage) {
        return folders.containsKey(stage) || defaultRoot != null;
    }

    @Override
    public void upload(String stage, String path, byte[] data) throws IOException {
        Path folder = folders.get(stage);
        if (folder == null) {
            if (defaultRoot == null) {
                throw new IOException("no local folder is known for stage " + stage);
            }
            folder = defaultRoot.resolve(stage);
        }
        Path file = folder.resolve(path).normalize();
        if (!file.startsWith(folder)) {
            throw new IOException("path " + path + " leaves the stage folder");
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(".tmp-" + file.getFileName() + "-" + Thread.currentThread().getId() + "-" + System.nanoTime());
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return "LocalStageUploader" + folders.keySet();
    }
}
